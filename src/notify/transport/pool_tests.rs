//! The pool's rules with a stand-in connection, on tokio's paused clock.

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

use super::*;

/// Counts what happened to the stand-ins.
#[derive(Default)]
struct Log {
    opened: AtomicUsize,
    closed: AtomicUsize,
}

struct Fake {
    id: usize,
    alive: bool,
    broken: bool,
    log: Arc<Log>,
}

impl Reusable for Fake {
    async fn is_alive(&mut self) -> bool {
        self.alive
    }

    fn is_broken(&self) -> bool {
        self.broken
    }

    async fn close(self) {
        self.log.closed.fetch_add(1, SeqCst);
    }
}

async fn open(log: &Arc<Log>) -> Result<Fake, &'static str> {
    let id = log.opened.fetch_add(1, SeqCst) + 1;
    Ok(Fake {
        id,
        alive: true,
        broken: false,
        log: Arc::clone(log),
    })
}

async fn get(pool: &Pool<Fake>, log: &Arc<Log>) -> Lease<Fake> {
    let lease = tokio::time::timeout(Duration::from_secs(1), pool.get(|| open(log)));
    lease.await.expect("no place came free").unwrap()
}

const IDLE: Duration = Duration::from_secs(60);

#[tokio::test(start_paused = true)]
async fn a_connection_given_back_is_reused_most_recent_first() {
    let (pool, log) = (Pool::new(4, IDLE), Arc::new(Log::default()));
    let first = get(&pool, &log).await;
    let second = get(&pool, &log).await;
    pool.put(first);
    pool.put(second);
    assert_eq!(get(&pool, &log).await.id, 2);
    assert_eq!(get(&pool, &log).await.id, 1);
    assert_eq!(log.opened.load(SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn an_idle_connection_that_stopped_answering_is_replaced() {
    let (pool, log) = (Pool::new(1, IDLE), Arc::new(Log::default()));
    let mut lease = get(&pool, &log).await;
    lease.alive = false;
    pool.put(lease);
    // With one place, the new connection can only open if the dead one freed it.
    assert_eq!(get(&pool, &log).await.id, 2);
}

#[tokio::test(start_paused = true)]
async fn broken_dropped_or_failed_connections_free_their_place() {
    let (pool, log) = (Pool::new(1, IDLE), Arc::new(Log::default()));
    let mut lease = get(&pool, &log).await;
    lease.broken = true;
    pool.put(lease);
    let lease = get(&pool, &log).await;
    assert_eq!(lease.id, 2);
    drop(lease);
    let failed = pool.get(|| async { Err::<Fake, _>("refused") }).await;
    assert_eq!(failed.err(), Some("refused"));
    assert_eq!(get(&pool, &log).await.id, 3);
}

#[tokio::test(start_paused = true)]
async fn callers_wait_while_every_place_is_taken() {
    let (pool, log) = (Pool::new(2, IDLE), Arc::new(Log::default()));
    let first = get(&pool, &log).await;
    let second = get(&pool, &log).await;
    let third = tokio::time::timeout(Duration::from_secs(30), pool.get(|| open(&log))).await;
    assert!(third.is_err(), "a third connection was opened");

    let (waiter, ()) = tokio::join!(get(&pool, &log), async {
        tokio::task::yield_now().await;
        pool.put(first);
    });
    assert_eq!(waiter.id, 1);
    let (waiter, ()) = tokio::join!(get(&pool, &log), async {
        tokio::task::yield_now().await;
        drop(second);
    });
    assert_eq!(waiter.id, 3);
    assert_eq!(log.opened.load(SeqCst), 3);
}

#[tokio::test(start_paused = true)]
async fn idle_connections_are_closed_after_the_idle_timeout() {
    let (pool, log) = (Pool::new(4, IDLE), Arc::new(Log::default()));
    let lease = get(&pool, &log).await;
    pool.put(lease);
    tokio::time::sleep(Duration::from_secs(30)).await;
    let lease = get(&pool, &log).await;
    pool.put(lease);
    // 61 s after it was first parked but 31 s after its last use: kept.
    tokio::time::sleep(Duration::from_secs(31)).await;
    assert_eq!(log.closed.load(SeqCst), 0);
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert_eq!(log.closed.load(SeqCst), 1);
    assert_eq!(get(&pool, &log).await.id, 2);
}

#[tokio::test(start_paused = true)]
async fn dropping_the_pool_closes_idle_connections() {
    let (pool, log) = (Pool::new(4, IDLE), Arc::new(Log::default()));
    let lease = get(&pool, &log).await;
    pool.put(lease);
    drop(pool);
    tokio::time::sleep(Duration::from_millis(1)).await;
    assert_eq!(log.closed.load(SeqCst), 1);
}
