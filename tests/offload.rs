//! Argon2id hashing does not block an async runtime's worker threads: with
//! `TokioBlocking` the hash of a completed reset runs on tokio's blocking pool, and a
//! single worker thread keeps serving other tasks meanwhile.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::ThreadId;

use sspr::Sspr;
use sspr::UserId;
use sspr::host::ContactMethod;
use sspr::host::Outbox;
use sspr::host::{InMemoryDirectory, Role, UserRecord};
use sspr::host::{Offload, OffloadError, TokioBlocking};
use sspr::password::Password;
use sspr::step::{
    AccountType, FromIdentify, FromNewPassword, FromSelectAccount, FromVerify, ToVerify,
};

/// Wraps an offload pool and records which thread each job ran on.
#[derive(Clone, Default)]
struct Watched {
    job_threads: Arc<Mutex<Vec<ThreadId>>>,
}

impl Offload for Watched {
    async fn run<T, F>(&self, job: F) -> Result<T, OffloadError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let threads = self.job_threads.clone();
        TokioBlocking
            .run(move || {
                threads.lock().unwrap().push(std::thread::current().id());
                job()
            })
            .await
    }
}

#[test]
fn hashing_runs_off_the_single_worker_while_it_serves_other_tasks() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let worker = tokio::spawn(async { std::thread::current().id() })
            .await
            .unwrap();
        let directory = InMemoryDirectory::new();
        let phone = ContactMethod::sms("+31 6 12345678");
        directory.insert(UserRecord {
            id: UserId::parse("jan@contoso.nl").unwrap(),
            tenant: "contoso".into(),
            roles: vec![Role::User],
            self_service_reset: true,
            methods: vec![phone.clone()],
            password_hash: None,
            methods_confirmed: None,
        });
        let outbox = Outbox::new();
        let watched = Watched::default();
        let sspr = Arc::new(
            Sspr::builder(directory.clone(), outbox.clone())
                .policy(sspr::testing::revealing_policy())
                .offload(watched.clone())
                .build()
                .unwrap(),
        );

        let reset = {
            let sspr = sspr.clone();
            tokio::spawn(async move {
                let FromSelectAccount::Identify(identify) = sspr
                    .start()
                    .unwrap()
                    .choose(&sspr, AccountType::WorkOrSchool)
                    .unwrap()
                else {
                    panic!("identify expected")
                };
                let answer = identify.step().challenge().danger_reveal_answer();
                let Ok(FromIdentify::ChooseMethod(choose)) =
                    identify.submit(&sspr, "jan@contoso.nl", &answer).await
                else {
                    panic!("choose method expected")
                };
                let Ok(ToVerify::Verify(verify)) = choose.choose(&sspr, 0).await else {
                    panic!("verify expected")
                };
                let code = outbox.last_code_to(&phone).unwrap();
                let Ok(FromVerify::NewPassword(new)) = verify.submit(&sspr, &code).await else {
                    panic!("new password expected")
                };
                let password = "plum kettle orbit 71";
                new.submit(&sspr, Password::new(password), Password::new(password))
                    .await
                    .map_err(|r| r.reason.to_string())
            })
        };
        // Meanwhile the one worker keeps running other tasks.
        let ticks = Arc::new(AtomicUsize::new(0));
        let ticker = {
            let ticks = ticks.clone();
            tokio::spawn(async move {
                loop {
                    ticks.fetch_add(1, Ordering::Relaxed);
                    tokio::task::yield_now().await;
                }
            })
        };
        let outcome = reset.await.unwrap();
        ticker.abort();
        assert!(matches!(outcome, Ok(FromNewPassword::Completed(_))));
        let job_threads = watched.job_threads.lock().unwrap().clone();
        assert_eq!(job_threads.len(), 1, "one hashing job per reset");
        assert_ne!(job_threads[0], worker, "the hash ran off the worker thread");
        assert!(
            ticks.load(Ordering::Relaxed) > 0,
            "the worker served others"
        );
    });
}
