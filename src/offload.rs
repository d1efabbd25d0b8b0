//! Where CPU-heavy work (Argon2id hashing, tens of milliseconds) runs, so that an async
//! host's worker threads stay free.

use std::future::Future;

/// The job could not be run or did not finish.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OffloadError {
    /// The pool refused the job, or the job panicked or was cancelled. Made with
    /// [`OffloadError::failed`].
    #[error("the background job did not finish")]
    Failed {
        /// What went wrong, for the host's logs. Must not hold the job's data (a panic
        /// message may: leave it out).
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl OffloadError {
    /// The job did not finish, because of `source` (an error, or a text):
    /// `Err(OffloadError::failed(e))`.
    pub fn failed(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        OffloadError::Failed {
            source: source.into(),
        }
    }
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
                OffloadError::failed(if e.is_panic() {
                    "the job panicked"
                } else {
                    "the job was cancelled"
                })
            })
    }
}

#[cfg(all(test, feature = "tokio"))]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_message_stays_out_of_the_error() {
        let result = TokioBlocking
            .run(|| -> u8 { panic!("the secret is hunter2") })
            .await;
        let error = result.expect_err("the job panicked");
        assert!(!format!("{error:?}").contains("hunter2"), "{error:?}");
        let source = std::error::Error::source(&error).expect("a cause");
        assert_eq!(source.to_string(), "the job panicked");
    }
}
