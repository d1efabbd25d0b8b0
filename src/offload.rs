//! Where CPU-heavy work (Argon2id hashing, tens of milliseconds) runs, so that an async
//! host's worker threads stay free.

use std::future::Future;

/// The job could not be run or did not finish.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OffloadError {
    /// The pool refused the job or the job panicked.
    #[error("the background job did not finish: {0}")]
    Failed(String),
}

/// Runs a blocking job somewhere and awaits its result.
///
/// Use [`Inline`] in a CLI or a test; under tokio, [`TokioBlocking`] (feature `tokio`)
/// runs the job on tokio's blocking pool.
pub trait Offload: Send + Sync {
    /// Runs `job` and returns its result.
    fn run<T, F>(&self, job: F) -> impl Future<Output = Result<T, OffloadError>> + Send
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static;
}

/// Runs jobs on the calling thread: right for a CLI or a single-threaded host, wrong for
/// an async server (it blocks a worker thread for the length of a hash).
#[derive(Debug, Default, Clone, Copy)]
pub struct Inline;

impl Offload for Inline {
    async fn run<T, F>(&self, job: F) -> Result<T, OffloadError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        Ok(job())
    }
}

/// Runs jobs on tokio's blocking thread pool (`tokio::task::spawn_blocking`).
#[cfg(feature = "tokio")]
#[derive(Debug, Default, Clone, Copy)]
pub struct TokioBlocking;

#[cfg(feature = "tokio")]
impl Offload for TokioBlocking {
    async fn run<T, F>(&self, job: F) -> Result<T, OffloadError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        tokio::task::spawn_blocking(job)
            .await
            // A JoinError's text can hold the job's panic message: keep it out.
            .map_err(|e| {
                OffloadError::Failed(if e.is_panic() {
                    "the job panicked".to_owned()
                } else {
                    "the job was cancelled".to_owned()
                })
            })
    }
}
