//! The wizard as a person uses it, in real Chromium: Debian's `chromium`, driven through
//! Debian's `chromedriver` (fantoccini, WebDriver). Each scenario starts its own server,
//! the router of `cargo run --example web`, on a free loopback port, and walks it with
//! clicks and keys: a whole reset, the personal branch, "ask your admin", the audio
//! clip played from the answer box, a flow locked by wrong answers, and Back followed by
//! an old form sent again.
//!
//! Every page it reaches is checked: axe-core finds no violation, Tab reaches every
//! control in the order of the page with a visible focus ring, and a screenshot of the
//! whole page is saved (in `<target>/tmp/screenshots/`, or `$SSPR_SCREENSHOTS`). The
//! challenge pages and an error page are also shown 320 CSS pixels wide, where nothing
//! may scroll sideways.
//!
//! The test knows each challenge's answer without any door in the server: it reads the
//! flow cookie from the browser's own jar (WebDriver reads `HttpOnly` cookies too) and
//! asks the flow store of this process for the flow's challenge, whose answer the test
//! kit reveals (`sspr`'s `test-support`, which the server never has). The codes are in
//! this process's outbox, as on the web example's demo mailbox.
//!
//! It needs `chromium`, `chromedriver` and axe-core (in `tests/browser/node_modules`, or
//! at `$AXE_CORE_JS`); scripts/test installs all three. Without them the test checks
//! nothing, with a notice, except in CI (`CI` set), where it fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a failed expectation is a failed test

#[path = "browser/chromium.rs"]
mod chromium;
#[path = "browser/server.rs"]
mod server;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use fantoccini::Locator;
use fantoccini::key::Key;
use serde_json::{Value, json};
use sspr::challenge::IMAGE_ALPHABET;
use sspr::host::{DeliveryContent, Directory, Notice};
use sspr::policy::Policy;
use sspr::testing::{self, DISABLED, JAN, STRONG, mail, phone};

use chromium::{Browser, Driver};
use server::{FLOW_COOKIE, Server};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_walks_the_wizard_in_chromium() {
    let Some(tools) = chromium::tools() else {
        return;
    };
    let shots = screenshots();
    let started = Instant::now();
    let driver = Driver::start(&tools);
    let browser = driver
        .session(&tools, chromium::axe_source(&tools), shots.clone())
        .await;
    let launched = started.elapsed();
    let client = browser.client.clone();
    // The scenarios run as a task, so that a failed one still closes Chromium, after a
    // screenshot of the page where it failed.
    let outcome = tokio::spawn(scenarios(browser)).await;
    if outcome.is_err()
        && let Ok(png) = client.screenshot().await
    {
        let path = shots.join("failed.png");
        if std::fs::write(&path, png).is_ok() {
            eprintln!("the page where the test failed: {}", path.display());
        }
    }
    let _ = client.close().await;
    drop(driver);
    let (browser, timings) = match outcome {
        Ok(done) => done,
        Err(error) => std::panic::resume_unwind(error.into_panic()),
    };
    println!("Chromium and chromedriver started in {launched:.1?}");
    for (scenario, took) in &timings {
        println!("{scenario:<40} {took:>8.1?}");
    }
    println!("\nScreenshots in {}:", shots.display());
    for page in &browser.pages {
        let name = page.screenshot.file_name().unwrap().to_string_lossy();
        println!("{name}  \"{}\"", page.title);
        if page.checked {
            println!(
                "    axe-core: {} violations, {} rules passed, to review by hand: [{}]",
                page.violations,
                page.passes,
                page.incomplete.join(", ")
            );
            println!("    Tab: {}", page.focus.join(" → "));
        } else {
            println!("    (a screenshot alone)");
        }
    }
}

/// `$SSPR_SCREENSHOTS`, or `screenshots/` in the target's scratch folder, without the
/// screenshots of an earlier run.
fn screenshots() -> PathBuf {
    let dir = std::env::var_os("SSPR_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots"));
    std::fs::create_dir_all(&dir).expect("the screenshot folder");
    for entry in std::fs::read_dir(&dir).expect("the screenshot folder reads") {
        let path = entry.expect("an entry").path();
        if path.extension().is_some_and(|e| e == "png") {
            std::fs::remove_file(&path).expect("an old screenshot goes");
        }
    }
    dir
}

async fn scenarios(mut browser: Browser) -> (Browser, Vec<(&'static str, Duration)>) {
    let mut timings = Vec::new();
    macro_rules! scenario {
        ($name:ident) => {
            let started = Instant::now();
            $name(&mut browser).await;
            timings.push((stringify!($name), started.elapsed()));
        };
    }
    scenario!(a_whole_reset);
    scenario!(the_personal_branch);
    scenario!(methods_and_ask_your_admin);
    scenario!(the_audio_clip_from_the_answer_box);
    scenario!(wrong_answers_lock_the_flow);
    scenario!(back_and_an_old_form_sent_again);
    scenario!(the_pages_of_what_went_wrong);
    scenario!(a_whole_reset_in_dutch);
    scenario!(a_reset_link_from_an_admin);
    scenario!(the_change_at_next_sign_in);
    scenario!(a_new_phone_registered);
    (browser, timings)
}

/// The start page of `server`, in a browser that holds no cookie of an earlier scenario.
async fn open(browser: &Browser, server: &Server) {
    browser.goto(&server.url("/")).await;
    browser.forget_cookies().await;
    browser.goto(&server.url("/")).await;
    browser.assert_heading("Can't access your account?").await;
}

/// From the start page: "Work or school account" (already chosen), Next.
async fn work_or_school(browser: &Browser) {
    assert_eq!(
        browser
            .js(
                "return document.getElementById('account-work').checked;",
                vec![]
            )
            .await,
        json!(true)
    );
    browser.click_text("Next").await;
    browser.assert_heading("Who are you?").await;
}

/// The flow's challenge answer, learnt from the server's own store.
async fn answer(browser: &Browser, server: &Server) -> String {
    let flow = browser
        .cookie(FLOW_COOKIE)
        .await
        .expect("the browser holds a flow cookie");
    server.answer(&flow).await
}

/// Types the user ID and the right answer, and presses Next.
async fn identify(browser: &Browser, server: &Server, user: &str) {
    let answer = answer(browser, server).await;
    browser.type_into("#user_id", user).await;
    browser.type_into("#answer", &answer).await;
    browser.click_text("Next").await;
}

/// Asserts that the page refused its form at `field`: "Error:" in the title, the message
/// at the field and tied to it, the field marked invalid, the summary linking to it.
async fn assert_refused_at(browser: &Browser, field: &str, error: &str) {
    let title = browser.client.title().await.unwrap();
    assert!(
        title.starts_with("Error: ") || title.starts_with("Fout: "),
        "{title}"
    );
    let state = browser
        .js(
            "const f = document.getElementById(arguments[0]);
             const e = document.getElementById(arguments[1]);
             return {
               described: (f.getAttribute('aria-describedby') || '').split(' '),
               invalid: f.getAttribute('aria-invalid'),
               message: e ? e.innerText : null,
               summary: [...document.querySelectorAll('.error-summary a')]
                 .map((a) => a.getAttribute('href')),
             };",
            vec![json!(field), json!(error)],
        )
        .await;
    assert!(
        state["described"]
            .as_array()
            .unwrap()
            .contains(&json!(error)),
        "{field} is not described by {error}: {state}"
    );
    assert_eq!(state["invalid"], json!("true"), "{state}");
    assert!(state["message"].is_string(), "{state}");
    assert_eq!(state["summary"], json!([format!("#{field}")]), "{state}");
}

/// Waits (up to 20 s) until `script` returns `{ ok: true, .. }`, and returns that.
async fn wait_for(browser: &Browser, script: &str, what: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let value = browser.js(script, vec![]).await;
        if value["ok"] == json!(true) {
            return value;
        }
        assert!(Instant::now() < deadline, "{what}: {value}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Default policy: picture, a wrong code, the right code, a weak password, two that differ,
/// a good one: "Your password was changed".
async fn a_whole_reset(browser: &mut Browser) {
    let server = Server::start(Policy::default()).await;
    open(browser, &server).await;
    browser.check("start").await;
    // The check can fail: a picture without a text and a field without a label do.
    let found = browser
        .axe_finds("<img src='/reset/sspr.css'><input type='text' name='probe'>")
        .await;
    assert!(
        found.contains(&"image-alt".to_owned()) && found.contains(&"label".to_owned()),
        "axe-core should find a missing alt and a missing label: {found:?}"
    );
    work_or_school(browser).await;

    // The picture arrived, at the size the page reserved for it.
    let picture = wait_for(
        browser,
        "const i = document.querySelector('img.challenge-picture');
         return { ok: i.complete && i.naturalWidth > 0,
                  natural: [i.naturalWidth, i.naturalHeight], shown: [i.width, i.height] };",
        "the challenge picture loads",
    )
    .await;
    assert_eq!(picture["natural"], picture["shown"], "{picture}");
    assert_eq!(
        browser.cookie("sspr-start").await.map(|v| v.len()),
        Some(64),
        "the start cookie"
    );
    browser.check("identify-picture").await;
    browser.narrow("identify-picture-320px").await;

    identify(browser, &server, JAN).await;
    browser.assert_heading("Enter the code").await;
    let text = browser.text().await;
    assert!(
        text.contains("If this account can reset its password, we sent a code"),
        "{text}"
    );
    browser.check("verify").await;

    // A wrong code: refused at its field; the summary's link takes the focus there.
    let code = server
        .outbox
        .last_code_to(&phone())
        .expect("a code to Jan's phone");
    browser
        .type_into("#code", &testing::wrong_code(&code))
        .await;
    browser.click_text("Verify").await;
    browser.assert_heading("Enter the code").await;
    assert_refused_at(browser, "code", "code-error").await;
    browser.check("verify-wrong-code").await;
    browser.narrow("verify-wrong-code-320px").await;
    browser.click(".error-summary a").await;
    assert_eq!(browser.focused().await, "input#code");

    browser.type_into("#code", &code).await;
    browser.click_text("Verify").await;
    browser.assert_heading("Choose a new password").await;
    browser.check("new-password").await;

    browser.type_into("#new_password", "password1").await;
    browser.type_into("#confirm", "password1").await;
    browser.click_text("Change password").await;
    assert_refused_at(browser, "new_password", "new_password-error").await;
    browser.check("new-password-weak").await;

    browser.type_into("#new_password", STRONG).await;
    browser.type_into("#confirm", "plum kettle orbit 72").await;
    browser.click_text("Change password").await;
    assert_refused_at(browser, "confirm", "confirm-error").await;
    browser.check("new-password-mismatch").await;

    browser.type_into("#new_password", STRONG).await;
    browser.type_into("#confirm", STRONG).await;
    browser.click_text("Change password").await;
    browser.assert_heading("Your password was changed").await;
    assert!(browser.text().await.contains(JAN));
    browser.check("completed").await;
    assert_eq!(browser.cookie(FLOW_COOKIE).await, None, "the flow is over");
    let record = server
        .directory
        .find_user(&testing::id(JAN))
        .await
        .unwrap()
        .unwrap();
    assert!(record.password_hash.is_some(), "the password was set");
}

/// "Personal account": handed off, and back to the start.
async fn the_personal_branch(browser: &mut Browser) {
    let server = Server::start(Policy::default()).await;
    open(browser, &server).await;
    // As a person does: a click on the label chooses the radio button.
    browser.click("label[for=account-personal]").await;
    assert_eq!(
        browser
            .js(
                "return document.getElementById('account-personal').checked;",
                vec![]
            )
            .await,
        json!(true)
    );
    browser.click_text("Next").await;
    browser.assert_heading("This is a personal account").await;
    browser.check("personal-account").await;
    assert_eq!(browser.cookie(FLOW_COOKIE).await, None);
    browser.follow("main a[href='/reset/']").await;
    browser.assert_heading("Can't access your account?").await;
}

/// The revealing policy (`conceal(false)`): Jan chooses where the code goes; an account
/// without self-service reset is told to ask the admin.
async fn methods_and_ask_your_admin(browser: &mut Browser) {
    let server = Server::start(testing::revealing_policy()).await;
    open(browser, &server).await;
    work_or_school(browser).await;
    identify(browser, &server, JAN).await;
    browser.assert_heading("Choose how to get a code").await;
    browser.check("choose-method").await;
    browser.click("label[for=method-1]").await;
    browser.click_text("Send code").await;
    browser.assert_heading("Enter the code").await;
    assert!(browser.text().await.contains("We sent a code by email"));
    assert!(server.outbox.last_code_to(&mail()).is_some());
    browser.check("verify-by-email").await;

    open(browser, &server).await;
    work_or_school(browser).await;
    identify(browser, &server, DISABLED).await;
    browser
        .assert_heading("Ask your admin to reset your password")
        .await;
    assert!(browser.text().await.contains("What to ask your admin"));
    browser.check("ask-your-admin").await;
    assert_eq!(browser.cookie(FLOW_COOKIE).await, None);

    assert!(
        browser
            .text()
            .await
            .contains("Ask support for a new global admin")
    );

    // "Contact your administrator": the admins who may reset Piet are asked.
    browser
        .click_text("Ask my admins to reset my password")
        .await;
    browser
        .assert_heading("Ask your admins to reset your password")
        .await;
    browser.check("contact-admins").await;
    browser.type_into("#user_id", DISABLED).await;
    browser.click_text("Send the request").await;
    browser.assert_heading("Your request was sent").await;
    browser.check("contact-admins-sent").await;
    let asked: Vec<_> = server
        .outbox
        .deliveries()
        .into_iter()
        .filter(|d| d.message == DeliveryContent::Notice(Notice::ResetRequested))
        .collect();
    assert_eq!(asked.len(), 1, "the global admin, once");
    assert_eq!(asked[0].user, testing::id(DISABLED));

    // The global admin has left: ask support for a new one.
    browser.goto(&server.url("/support")).await;
    browser.assert_heading("Ask for a new global admin").await;
    browser.check("support-request").await;
    browser.type_into("#name", "Marieke de Vries").await;
    browser.type_into("#email", "marieke@home.example").await;
    browser.type_into("#company", "Contoso BV").await;
    browser.type_into("#organisation", "contoso.nl").await;
    browser
        .type_into("#explanation", "Our global admin left in March.")
        .await;
    // The phone number left out: the browser's own check is skipped, as by a person
    // whose browser has none; the server refuses it at its field.
    submit_altered(browser, "form.noValidate = true").await;
    assert_refused_at(browser, "phone", "phone-error").await;
    let kept = browser
        .js("return document.getElementById('company').value;", vec![])
        .await;
    assert_eq!(kept, json!("Contoso BV"), "what was typed stays");
    browser.check("support-request-refused").await;
    browser.type_into("#phone", "+31 6 11112222").await;
    browser.click_text("Send the request").await;
    browser.assert_heading("Your request was sent").await;
    assert!(browser.text().await.contains("SR-000001"));
    browser.check("support-request-sent").await;
    let tickets = server.desk.tickets();
    assert_eq!(tickets.len(), 1);
    assert_eq!(tickets[0].2.company_name(), "Contoso BV");
}

/// The audio clip instead of the picture: it loads, has a duration, and plays and pauses
/// with Ctrl in the answer box, which keeps the focus; its digits are the answer.
async fn the_audio_clip_from_the_answer_box(browser: &mut Browser) {
    let server = Server::start(Policy::default()).await;
    open(browser, &server).await;
    work_or_school(browser).await;
    browser.click_text("Listen to an audio clip instead").await;
    browser.assert_heading("Who are you?").await;
    // The script ran: the page says what Ctrl does, and the box's description says it.
    let keys = browser
        .js(
            "const k = document.getElementById('audio-keys');
             return { shown: !k.hidden && k.getClientRects().length > 0, text: k.innerText,
                      described: document.getElementById('answer')
                        .getAttribute('aria-describedby') };",
            vec![],
        )
        .await;
    assert_eq!(keys["shown"], json!(true), "{keys}");
    assert_eq!(keys["described"], json!("answer-hint audio-keys"), "{keys}");
    browser.check("identify-audio").await;
    browser.narrow("identify-audio-320px").await;

    // Nothing loaded yet (preload="none"): Ctrl in the answer box plays the clip.
    browser
        .client
        .find(Locator::Css("#answer"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser.press(&[Key::Control]).await;
    let playing = wait_for(
        browser,
        "const a = document.querySelector('audio');
         return { ok: a.readyState >= 1 && isFinite(a.duration) && a.duration > 0
                      && !a.paused && a.currentTime > 0,
                  readyState: a.readyState, duration: a.duration, paused: a.paused,
                  currentTime: a.currentTime,
                  error: a.error && a.error.message };",
        "the clip plays after Ctrl in the answer box",
    )
    .await;
    let duration = playing["duration"].as_f64().unwrap();
    assert!((1.0..=10.0).contains(&duration), "{playing}");
    println!("the audio clip: {duration:.2} s");
    assert_eq!(browser.focused().await, "input#answer", "the focus stayed");
    // The player moves on while the answer box shows its focus ring.
    browser.screenshot_only("identify-audio-playing").await;
    // Ctrl again pauses it; Ctrl with another key (select all) does nothing.
    browser.press(&[Key::Control]).await;
    wait_for(
        browser,
        "return { ok: document.querySelector('audio').paused };",
        "Ctrl pauses the clip",
    )
    .await;
    browser.press_with_ctrl('a').await;
    assert_eq!(
        browser
            .js("return document.querySelector('audio').paused;", vec![])
            .await,
        json!(true),
        "Ctrl+A does not play"
    );

    let digits = answer(browser, &server).await;
    assert!(digits.bytes().all(|b| b.is_ascii_digit()), "{digits}");
    browser.type_into("#user_id", JAN).await;
    browser.type_into("#answer", &digits).await;
    browser.click_text("Next").await;
    browser.assert_heading("Enter the code").await;
}

/// Five wrong answers: each refused at the answer, with the user ID kept; then "locked".
async fn wrong_answers_lock_the_flow(browser: &mut Browser) {
    let server = Server::start(Policy::default()).await;
    open(browser, &server).await;
    work_or_school(browser).await;
    for attempt in 1..=5 {
        let right = answer(browser, &server).await;
        let first = right.as_bytes()[0];
        let other = *IMAGE_ALPHABET.iter().find(|&&c| c != first).unwrap();
        let wrong = format!("{}{}", char::from(other), &right[1..]);
        if attempt == 1 {
            browser.type_into("#user_id", JAN).await;
        } else {
            // The user ID stayed in its field.
            let kept = browser
                .js("return document.getElementById('user_id').value;", vec![])
                .await;
            assert_eq!(kept, json!(JAN));
        }
        browser.type_into("#answer", &wrong).await;
        browser.click_text("Next").await;
        if attempt < 5 {
            browser.assert_heading("Who are you?").await;
            assert_refused_at(browser, "answer", "answer-error").await;
            if attempt == 1 {
                browser.check("identify-wrong-answer").await;
            }
        }
    }
    browser.assert_heading("Password reset locked").await;
    assert!(
        browser
            .text()
            .await
            .contains("Too many wrong answers to the challenge.")
    );
    browser.check("locked").await;
    assert_eq!(browser.cookie(FLOW_COOKIE).await, None);
}

/// Back after two steps, and the old form sent again: Chromium asks to send the data
/// again (the pages are `no-store`, so Back cannot show the old page without it), and
/// reloading sends the form of the page before, with its old step nonce. The server
/// answers "This page is out of date" and sends nothing; "Continue where you are" leads
/// to the current step, which still works.
async fn back_and_an_old_form_sent_again(browser: &mut Browser) {
    let server = Server::start(Policy::default()).await;
    open(browser, &server).await;
    work_or_school(browser).await;
    browser.click_text("Listen to an audio clip instead").await;
    assert!(browser.text().await.contains("Digits in the audio clip"));
    browser.click_text("Show a picture instead").await;
    assert!(browser.text().await.contains("Characters in the picture"));

    browser.mark_page().await;
    browser.client.back().await.expect("Back");
    browser.next_page().await;
    // Chromium's own page (not checked with axe): the audio page came from a form.
    let text = browser.text().await;
    assert!(text.contains("Confirm Form Resubmission"), "{text}");
    browser.screenshot_only("back-confirm-resubmission").await;

    // Reload: the audio page's form (the switch, with the first page's nonce) again.
    browser.mark_page().await;
    browser.client.refresh().await.expect("reload");
    browser.next_page().await;
    browser.assert_heading("This page is out of date").await;
    browser.check("out-of-date").await;
    assert!(
        browser.cookie(FLOW_COOKIE).await.is_some(),
        "the flow is still open"
    );

    browser.click_text("Continue where you are").await;
    browser.assert_heading("Who are you?").await;
    let text = browser.text().await;
    assert!(
        text.contains("Characters in the picture"),
        "the current step: the picture, as the flow left it\n{text}"
    );
    browser.check("continue").await;
    identify(browser, &server, JAN).await;
    browser.assert_heading("Enter the code").await;
    assert_eq!(server.outbox.deliveries().len(), 1, "one code, once");
}

/// Submits the page's form from a script, after `change` (a script body with `form`),
/// without the browser's own checks (as a person's browser with a stale or altered page
/// would), and waits for the answer.
async fn submit_altered(browser: &Browser, change: &str) {
    browser.mark_page().await;
    let script = format!(
        "const form = document.querySelector('main form'); {change}; \
         setTimeout(() => HTMLFormElement.prototype.submit.call(form), 0);"
    );
    browser.js(&script, vec![]).await;
    browser.next_page().await;
}

/// Every page of what went wrong that a browser can reach, checked like the steps: no
/// such page, a forged form, a form far too large, a flow that expired, a flow that is
/// gone, too many starts from one network.
async fn the_pages_of_what_went_wrong(browser: &mut Browser) {
    let server = Server::start(Policy::default()).await;

    browser.goto(&server.url("/no-such-page")).await;
    browser.assert_heading("Page not found").await;
    browser.check("problem-not-found").await;

    open(browser, &server).await;
    work_or_school(browser).await;
    submit_altered(browser, "form.elements.csrf.value = 'forged'").await;
    browser
        .assert_heading("This form could not be accepted")
        .await;
    browser.check("problem-forbidden").await;

    browser.click_text("Continue your password reset").await;
    browser.assert_heading("Who are you?").await;
    submit_altered(browser, "form.elements.user_id.value = 'x'.repeat(20000)").await;
    browser.assert_heading("Too much was sent").await;
    browser.check("problem-too-large").await;

    // A person who leaves the page open past the flow's deadline, then answers.
    browser.click_text("Continue your password reset").await;
    browser.assert_heading("Who are you?").await;
    server.clock.advance(time::Duration::minutes(16));
    browser.type_into("#user_id", JAN).await;
    browser.type_into("#answer", "ABC123").await;
    browser.click_text("Next").await;
    browser.assert_heading("This password reset expired").await;
    browser.check("ending-expired").await;
    assert!(
        browser.cookie(FLOW_COOKIE).await.is_none(),
        "the flow cookie is gone"
    );

    // A form of a flow this browser no longer has (another window finished it).
    browser.click_text("Start again").await;
    work_or_school(browser).await;
    browser.forget_cookies().await;
    submit_altered(browser, "").await;
    browser
        .assert_heading("This password reset is no longer open")
        .await;
    browser.check("problem-no-flow").await;

    // Starts from one network beyond the limit (10 at once, one per 6 s after).
    let mut heading = String::new();
    for _ in 0..12 {
        browser.goto(&server.url("/")).await;
        browser.click_text("Next").await;
        heading = browser.heading().await;
        if heading == "Too many attempts" {
            break;
        }
    }
    assert_eq!(heading, "Too many attempts");
    browser.check("problem-too-many-attempts").await;
}

/// The digits of `answer` as Dutch words, as a person who hears the Dutch clip may type
/// them.
fn in_dutch_words(answer: &str) -> String {
    const WORDS: [&str; 10] = [
        "nul", "een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen",
    ];
    answer
        .chars()
        .filter_map(|c| c.to_digit(10))
        .map(|d| WORDS[d as usize])
        .collect::<Vec<_>>()
        .join(" ")
}

/// The language switch on the start page, then a whole reset in Dutch: the Dutch audio
/// clip (answered in Dutch words), the code, a refused password and a good one. Every
/// page is checked like the English ones.
async fn a_whole_reset_in_dutch(browser: &mut Browser) {
    let server = Server::start(Policy::default()).await;
    open(browser, &server).await;
    browser.click_text("Nederlands").await;
    browser
        .assert_heading("Hebt u geen toegang tot uw account?")
        .await;
    let lang = browser
        .js("return document.documentElement.lang;", vec![])
        .await;
    assert_eq!(lang, json!("nl"));
    browser.check("nl-start").await;

    browser.click_text("Volgende").await;
    browser.assert_heading("Wie bent u?").await;
    browser.check("nl-identify-picture").await;
    browser.click_text("Luister naar een audiofragment").await;
    browser.assert_heading("Wie bent u?").await;
    let clip = wait_for(
        browser,
        "const a = document.querySelector('audio');
         if (a.readyState < 1) { a.load(); }
         return { ok: a.readyState >= 1 && isFinite(a.duration) && a.duration > 0,
                  duration: a.duration, lang: a.lang };",
        "the Dutch clip loads",
    )
    .await;
    assert_eq!(clip["lang"], json!("nl"), "{clip}");
    browser.check("nl-identify-audio").await;

    let answer = answer(browser, &server).await;
    let words = in_dutch_words(&answer);
    browser.type_into("#user_id", JAN).await;
    browser.type_into("#answer", &words).await;
    browser.click_text("Volgende").await;
    browser.assert_heading("Voer de code in").await;
    browser.check("nl-verify").await;

    let code = server
        .outbox
        .last_code_to(&phone())
        .expect("a code to Jan's phone");
    browser.type_into("#code", &code).await;
    browser.click_text("Controleren").await;
    browser.assert_heading("Stel uw nieuwe wachtwoord in").await;
    browser.check("nl-new-password").await;

    browser.type_into("#new_password", "wachtwoord").await;
    browser.type_into("#confirm", "wachtwoord").await;
    browser.click_text("Wachtwoord wijzigen").await;
    assert_refused_at(browser, "new_password", "new_password-error").await;
    let title = browser.client.title().await.unwrap();
    assert!(title.starts_with("Fout: "), "{title}");
    browser.check("nl-new-password-refused").await;

    browser.type_into("#new_password", STRONG).await;
    browser.type_into("#confirm", STRONG).await;
    browser.click_text("Wachtwoord wijzigen").await;
    browser.assert_heading("Uw wachtwoord is gewijzigd").await;
    browser.check("nl-completed").await;
    // The person's choice stays: the next start page is Dutch too.
    browser.goto(&server.url("/")).await;
    browser
        .assert_heading("Hebt u geen toegang tot uw account?")
        .await;
}

/// The global admin issues a reset link for Piet (who may not reset by himself); Piet
/// opens it, his password is refused at its field, then set: the admin never sees it.
/// The link works once.
async fn a_reset_link_from_an_admin(browser: &mut Browser) {
    let server = Server::start(Policy::default()).await;
    let link = server
        .sspr
        .issue_reset_link(
            &server.store,
            &testing::id(testing::ADMIN),
            &testing::id(DISABLED),
        )
        .await
        .expect("the global admin may reset Piet");
    let url = server.url(&format!("/link?token={}", link.expose_secret()));
    browser.forget_cookies().await;
    browser.goto(&url).await;
    browser.assert_heading("Set a new password").await;
    browser.check("reset-link").await;
    browser.type_into("#user_id", DISABLED).await;
    browser.type_into("#new_password", STRONG).await;
    browser.type_into("#confirm", "plum kettle orbit 72").await;
    browser.click_text("Change password").await;
    assert_refused_at(browser, "confirm", "confirm-error").await;
    browser.check("reset-link-refused").await;
    browser.type_into("#new_password", STRONG).await;
    browser.type_into("#confirm", STRONG).await;
    browser.click_text("Change password").await;
    browser.assert_heading("Your password was changed").await;
    browser.check("reset-link-done").await;
    let record = server
        .directory
        .find_user(&testing::id(DISABLED))
        .await
        .unwrap()
        .unwrap();
    assert!(record.password_hash.is_some(), "the password was set");

    // The same link again: it does not work.
    browser.goto(&url).await;
    browser.type_into("#user_id", DISABLED).await;
    browser.type_into("#new_password", STRONG).await;
    browser.type_into("#confirm", STRONG).await;
    browser.click_text("Change password").await;
    assert!(
        browser
            .text()
            .await
            .contains("This reset link does not work")
    );
}

/// The global admin resets Piet's password to a temporary one; Piet signs in with a
/// wrong one first (refused, not told which part was wrong), then changes it.
async fn the_change_at_next_sign_in(browser: &mut Browser) {
    let server = Server::start(Policy::default()).await;
    let temporary = server
        .sspr
        .reset_by_admin(&testing::id(testing::ADMIN), &testing::id(DISABLED))
        .await
        .expect("the global admin may reset Piet");
    browser.forget_cookies().await;
    browser.goto(&server.url("/change")).await;
    browser.assert_heading("Change your password").await;
    browser.check("forced-change").await;
    browser.type_into("#user_id", DISABLED).await;
    browser
        .type_into("#temporary", "not the temporary password")
        .await;
    browser.type_into("#new_password", STRONG).await;
    browser.type_into("#confirm", STRONG).await;
    browser.click_text("Change password").await;
    assert!(
        browser
            .text()
            .await
            .contains("The user ID or the temporary password is not right")
    );
    browser.check("forced-change-refused").await;
    browser
        .type_into("#temporary", temporary.expose_secret())
        .await;
    browser.type_into("#new_password", STRONG).await;
    browser.type_into("#confirm", STRONG).await;
    browser.click_text("Change password").await;
    browser.assert_heading("Your password was changed").await;
    browser.check("forced-change-done").await;
}

/// Jan signs in with his password and adds a phone: a wrong password first (refused,
/// not told which part was wrong), then a code to his phone (a wrong one first), then one
/// to the new phone; the methods page lists the new phone.
async fn a_new_phone_registered(browser: &mut Browser) {
    use sspr::host::ContactMethod;
    use sspr::password::{HashParams, Password, hash_password_with_os_rng};
    const PASSWORD: &str = "old plum kettle 41";
    let server = Server::start(Policy::default()).await;
    let mut jan = server.directory.get(&testing::id(JAN)).expect("Jan");
    jan.password_hash = Some(
        hash_password_with_os_rng(&Password::new(PASSWORD), &HashParams::default())
            .expect("hashes"),
    );
    server.directory.insert(jan);
    browser.forget_cookies().await;
    browser.goto(&server.url("/register")).await;
    browser
        .assert_heading("Register your contact methods")
        .await;
    browser.check("register").await;
    browser.type_into("#user_id", JAN).await;
    browser.type_into("#password", "not the password").await;
    browser.type_into("#address", "+31 6 55501234").await;
    browser.click_text("Send the code").await;
    assert!(
        browser
            .text()
            .await
            .contains("The user ID or the password is not right")
    );
    browser.check("register-refused").await;
    browser.type_into("#password", PASSWORD).await;
    browser.click_text("Send the code").await;
    browser.assert_heading("Type the code we sent").await;
    browser.check("register-codes").await;
    let new_phone = ContactMethod::sms("+31 6 55501234");
    assert_eq!(server.outbox.last_code_to(&new_phone), None);
    let current = server
        .outbox
        .last_code_to(&phone())
        .expect("a code to Jan's phone");
    browser
        .type_into("#code", &testing::wrong_code(&current))
        .await;
    browser.click_text("Register").await;
    assert!(browser.text().await.contains("A code is not right"));
    browser.check("register-codes-refused").await;
    browser.type_into("#code", &current).await;
    browser.click_text("Register").await;
    assert!(browser.text().await.contains("That code was right"));
    browser.check("register-new-code").await;
    let new_code = server
        .outbox
        .last_code_to(&new_phone)
        .expect("a code to the new phone");
    browser.type_into("#code", &new_code).await;
    browser.click_text("Register").await;
    browser.assert_heading("Your methods are registered").await;
    browser.check("registered").await;
    assert!(browser.text().await.contains("+31 •• ••• ••34"));
    assert_eq!(
        server
            .directory
            .get(&testing::id(JAN))
            .expect("Jan")
            .methods
            .len(),
        3
    );
}
