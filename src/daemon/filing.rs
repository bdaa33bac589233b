//! Filing in batches: jobs that finish together share one round of IMAP commands.
//!
//! In: a job's messages with their destination, and the shared commander. Out: one answer
//! per message (moved, or already gone), or the mailbox's error. A job queues its
//! messages, then waits for the commander; whoever gets it first files everything queued
//! so far (one search, one MOVE per destination) and answers the others, who find their
//! answer waiting instead of taking the commander in turn. Under a backlog this turns a
//! MOVE per message into a MOVE per batch, which is most of what the server spends.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex as SyncMutex, PoisonError};

use tokio::sync::{Mutex, oneshot};

use crate::mailbox::{Destination, Filed, Mailbox, MailboxError, MessageLocation};

/// What one job's messages got.
pub(super) type Answers = Vec<Result<Filed, MailboxError>>;

/// Jobs' filing requests waiting for the commander.
#[derive(Debug, Default)]
pub(super) struct FilingQueue {
    pending: SyncMutex<Vec<Request>>,
    next_id: AtomicU64,
}

#[derive(Debug)]
struct Request {
    id: u64,
    messages: Vec<(MessageLocation, Destination)>,
    reply: oneshot::Sender<Reply>,
}

#[derive(Debug)]
enum Reply {
    Filed(Answers),
    /// The batch failed as a whole; the job that ran it reports why, this one tries alone.
    TryAlone,
}

impl FilingQueue {
    /// Files `messages` (moving each to its destination), batched with whatever other
    /// jobs are filing at the same moment.
    pub(super) async fn file(
        &self,
        mailbox: &Mutex<Mailbox>,
        messages: Vec<(MessageLocation, Destination)>,
    ) -> Result<Answers, MailboxError> {
        if messages.is_empty() {
            return Ok(Vec::new());
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (reply, mut answer) = oneshot::channel();
        self.queue().push(Request {
            id,
            messages: messages.clone(),
            reply,
        });
        let mut commander = tokio::select! {
            biased;
            replied = &mut answer => return alone_unless_answered(mailbox, replied, &messages).await,
            commander = mailbox.lock() => commander,
        };
        if let Ok(replied) = answer.try_recv() {
            drop(commander);
            return alone_unless_answered(mailbox, Ok(replied), &messages).await;
        }
        let batch = std::mem::take(&mut *self.queue());
        let everything: Vec<_> = batch.iter().flat_map(|r| r.messages.clone()).collect();
        let result = commander.file_many(&everything).await;
        drop(commander);
        match answer_each(batch, result, id) {
            Some(own) => own,
            // Our request always is in the batch we took (it was queued before we waited
            // for the commander, and only a commander holder empties the queue); were it
            // ever not, filing alone is still right.
            None => mailbox.lock().await.file_many(&messages).await,
        }
    }

    fn queue(&self) -> std::sync::MutexGuard<'_, Vec<Request>> {
        // The queue holds plain data; a panic elsewhere cannot leave it half-changed.
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Hands each request its share of the answers; returns the share (or the error) of
/// request `mine`, `None` if it was not in the batch.
fn answer_each(
    batch: Vec<Request>,
    result: Result<Answers, MailboxError>,
    mine: u64,
) -> Option<Result<Answers, MailboxError>> {
    let mut own = None;
    match result {
        Ok(answers) => {
            let mut answers = answers.into_iter();
            for request in batch {
                let share: Answers = answers.by_ref().take(request.messages.len()).collect();
                if request.id == mine {
                    own = Some(Ok(share));
                } else {
                    // A job cancelled meanwhile (shutdown) no longer listens: nothing lost,
                    // its messages are filed and the next run finds them gone.
                    let _ = request.reply.send(Reply::Filed(share));
                }
            }
        }
        Err(error) => {
            let mut found = false;
            for request in batch {
                if request.id == mine {
                    found = true;
                } else {
                    let _ = request.reply.send(Reply::TryAlone);
                }
            }
            own = found.then_some(Err(error));
        }
    }
    own
}

/// The answer another job's batch sent, or — when that batch failed or its job was
/// cancelled — a filing of our own.
async fn alone_unless_answered(
    mailbox: &Mutex<Mailbox>,
    replied: Result<Reply, oneshot::error::RecvError>,
    messages: &[(MessageLocation, Destination)],
) -> Result<Answers, MailboxError> {
    match replied {
        Ok(Reply::Filed(answers)) => Ok(answers),
        Ok(Reply::TryAlone) | Err(_) => mailbox.lock().await.file_many(messages).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(id: u64, uids: &[u32]) -> (Request, oneshot::Receiver<Reply>) {
        let (reply, answer) = oneshot::channel();
        let messages = uids
            .iter()
            .map(|&uid| (MessageLocation::imap(1, uid), Destination::Done))
            .collect();
        (
            Request {
                id,
                messages,
                reply,
            },
            answer,
        )
    }

    fn gone(uid: u32) -> MailboxError {
        MailboxError::Gone {
            source_name: "imap:test".into(),
            location: uid.to_string(),
        }
    }

    #[test]
    fn each_job_gets_the_answers_for_its_own_messages() {
        let (first, mut first_answer) = request(1, &[10, 11]);
        let (mine, _) = request(2, &[12]);
        let (last, mut last_answer) = request(3, &[13, 14]);
        let answers = vec![
            Ok(Filed::Moved),
            Ok(Filed::AlreadyGone),
            Err(gone(12)),
            Ok(Filed::Moved),
            Ok(Filed::Moved),
        ];
        let own = answer_each(vec![first, mine, last], Ok(answers), 2)
            .unwrap()
            .unwrap();
        assert!(
            matches!(own.as_slice(), [Err(MailboxError::Gone { location, .. })] if location == "12")
        );
        let Ok(Reply::Filed(first)) = first_answer.try_recv() else {
            panic!("the first job got no answers")
        };
        assert!(matches!(
            first.as_slice(),
            [Ok(Filed::Moved), Ok(Filed::AlreadyGone)]
        ));
        let Ok(Reply::Filed(last)) = last_answer.try_recv() else {
            panic!("the last job got no answers")
        };
        assert_eq!(last.len(), 2);
    }

    #[test]
    fn a_failed_batch_is_reported_once_and_the_others_file_alone() {
        let (mine, _) = request(1, &[10]);
        let (other, mut other_answer) = request(2, &[11]);
        let own = answer_each(vec![mine, other], Err(gone(10)), 1).unwrap();
        assert!(own.is_err());
        assert!(matches!(other_answer.try_recv(), Ok(Reply::TryAlone)));
        let (other, _) = request(3, &[12]);
        assert!(answer_each(vec![other], Ok(vec![Ok(Filed::Moved)]), 9).is_none());
    }
}
