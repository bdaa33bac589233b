//! A journal write on its way: what [`Journal`](super::Journal)'s write methods return.
//!
//! In: the answer channel of a request sent to the writer thread (or the error that kept
//! it from being sent). Out: the request's result once its transaction is committed —
//! by `.await` in async code, with no thread hand-off of its own, or by
//! [`Pending::wait`] where blocking is fine (the CLI, tests).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::sync::oneshot;

use super::JournalError;

/// A journal write not yet answered. Dropping it does not cancel the write.
#[must_use = "a journal write is done only once its Pending is awaited or waited for"]
#[derive(Debug)]
pub struct Pending<T> {
    state: State<T>,
}

#[derive(Debug)]
enum State<T> {
    Waiting(oneshot::Receiver<Result<T, JournalError>>),
    Failed(Option<JournalError>),
}

impl<T> Pending<T> {
    pub(super) fn waiting(answer: oneshot::Receiver<Result<T, JournalError>>) -> Self {
        Self {
            state: State::Waiting(answer),
        }
    }

    pub(super) fn failed(error: JournalError) -> Self {
        Self {
            state: State::Failed(Some(error)),
        }
    }

    /// Blocks the calling thread until the write is committed (or failed).
    pub fn wait(self) -> Result<T, JournalError> {
        futures::executor::block_on(self)
    }
}

impl<T> Future for Pending<T> {
    type Output = Result<T, JournalError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.get_mut().state {
            State::Waiting(answer) => Pin::new(answer)
                .poll(cx)
                .map(|answer| answer.unwrap_or(Err(JournalError::WriterStopped))),
            State::Failed(error) => {
                Poll::Ready(Err(error.take().unwrap_or(JournalError::WriterStopped)))
            }
        }
    }
}
