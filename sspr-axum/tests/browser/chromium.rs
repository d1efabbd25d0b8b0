//! Headless Chromium through chromedriver (both from Debian), and what the test checks on
//! every page: axe-core, the focus order and the focus ring, and a screenshot.

use std::fmt::Write as _;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

/// The programs and files the test needs.
pub struct Tools {
    chromium: PathBuf,
    chromedriver: PathBuf,
    axe: PathBuf,
}

/// Chromium, chromedriver and axe-core, or `None` (after a notice) where the test may
/// skip; in CI a missing one fails the test.
pub fn tools() -> Option<Tools> {
    let chromium = program("CHROMIUM", &["chromium", "chromium-browser"]);
    let chromedriver = program("CHROMEDRIVER", &["chromedriver"]);
    let axe = std::env::var_os("AXE_CORE_JS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/browser/node_modules/axe-core/axe.min.js")
        });
    let mut missing = Vec::new();
    if chromium.is_none() {
        missing.push("chromium (Debian's package chromium)".to_owned());
    }
    if chromedriver.is_none() {
        missing.push("chromedriver (Debian's package chromium-driver)".to_owned());
    }
    if !axe.is_file() {
        missing.push(format!(
            "axe-core at {} (npm ci --prefix sspr-axum/tests/browser)",
            axe.display()
        ));
    }
    match (chromium, chromedriver) {
        (Some(chromium), Some(chromedriver)) if missing.is_empty() => Some(Tools {
            chromium,
            chromedriver,
            axe,
        }),
        _ if std::env::var_os("CI").is_some() => panic!(
            "the browser test must run in CI, but it lacks: {} (scripts/test installs them)",
            missing.join(", ")
        ),
        _ => {
            eprintln!(
                "notice: the browser test checks nothing: it lacks {}. Run scripts/test, \
                 which installs them.",
                missing.join(", ")
            );
            None
        }
    }
}

/// The program named by `$variable`, or the first of `names` on the `PATH`.
fn program(variable: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(variable) {
        return Some(PathBuf::from(path)).filter(|p| p.is_file());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// Chromium's command line: headless, as root (no sandbox), and quiet on a machine without
/// a network (no background connections, no first-run pages, no updates).
const CHROMIUM_ARGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-sync",
    "--disable-quic",
    "--disable-features=Translate,OptimizationHints,MediaRouter",
    "--no-first-run",
    "--no-default-browser-check",
    "--password-store=basic",
    "--mute-audio",
    "--lang=en-GB",
    "--window-size=1024,800",
];

/// The width of every screenshot.
const WIDTH: u32 = 1024;

/// chromedriver, stopped on drop.
pub struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    /// chromedriver on a free loopback port, once it answers.
    pub fn start(tools: &Tools) -> Driver {
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .and_then(|listener| listener.local_addr())
            .expect("a free loopback port")
            .port();
        let child = Command::new(&tools.chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let driver = Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        driver
    }

    /// A new Chromium session.
    pub async fn session(&self, tools: &Tools, axe: String, shots: PathBuf) -> Browser {
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({ "binary": tools.chromium, "args": CHROMIUM_ARGS }),
        );
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .expect("chromedriver starts Chromium");
        Browser {
            client,
            axe,
            shots,
            shot: 0,
            pages: Vec::new(),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// axe-core's source.
pub fn axe_source(tools: &Tools) -> String {
    std::fs::read_to_string(&tools.axe).expect("axe.min.js reads")
}

/// What the test saw on one page.
#[derive(Debug)]
pub struct PageReport {
    pub title: String,
    pub violations: usize,
    pub incomplete: Vec<String>,
    pub passes: usize,
    pub focus: Vec<String>,
    pub screenshot: PathBuf,
    /// Whether axe-core and the focus walk checked it (not a screenshot alone).
    pub checked: bool,
}

/// One Chromium session, and the pages checked in it.
pub struct Browser {
    pub client: Client,
    axe: String,
    shots: PathBuf,
    shot: usize,
    pub pages: Vec<PageReport>,
}

impl Browser {
    /// Opens `url` as a person types it into the address bar.
    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("the page opens");
    }

    /// Forgets every cookie (a new person, or a new browser).
    pub async fn forget_cookies(&self) {
        self.client
            .delete_all_cookies()
            .await
            .expect("cookies deleted");
    }

    /// The value of the cookie `name` for the current page (HttpOnly or not: the
    /// browser's own jar), if there is one.
    pub async fn cookie(&self, name: &str) -> Option<String> {
        let cookies = self
            .client
            .get_all_cookies()
            .await
            .expect("the cookies read");
        cookies
            .iter()
            .find(|c| c.name() == name)
            .map(|c| c.value().to_owned())
    }

    /// Runs `script` (a function body; `arguments` are `args`) in the page.
    pub async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("the script failed: {e}\n{script}"))
    }

    /// The text of the page's `<h1>`.
    pub async fn heading(&self) -> String {
        self.client
            .find(Locator::Css("h1"))
            .await
            .expect("the page has a heading")
            .text()
            .await
            .expect("its text")
    }

    /// The text of the whole page.
    pub async fn text(&self) -> String {
        self.js("return document.body.innerText;", vec![])
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Asserts that the page's heading is `heading`.
    pub async fn assert_heading(&self, heading: &str) {
        let actual = self.heading().await;
        assert_eq!(
            actual,
            heading,
            "on {}:\n{}",
            self.client.current_url().await.expect("a URL"),
            self.text().await
        );
    }

    /// Clicks the element that `css` selects (a label, a link within the page), as with
    /// a mouse.
    pub async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("{css} does not take a click: {e}"));
    }

    /// Clicks the element that `css` selects and waits for the next page.
    pub async fn follow(&self, css: &str) {
        self.mark_page().await;
        self.click(css).await;
        self.next_page().await;
    }

    /// Clicks the button or link whose text is `text` and waits for the next page.
    pub async fn click_text(&self, text: &str) {
        let xpath = format!("//*[self::button or self::a][normalize-space(.)=\"{text}\"]");
        let target = self
            .client
            .find(Locator::XPath(&xpath))
            .await
            .unwrap_or_else(|e| panic!("no button or link {text:?}: {e}"));
        self.mark_page().await;
        target
            .click()
            .await
            .unwrap_or_else(|e| panic!("{text:?} does not take a click: {e}"));
        self.next_page().await;
    }

    /// Marks the current document, so that [`Browser::next_page`] can tell it from the
    /// next one.
    pub async fn mark_page(&self) {
        self.js("window.__ssprOldPage = true;", vec![]).await;
    }

    /// Waits until a document other than the marked one has loaded.
    pub async fn next_page(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let state = self
                .client
                .execute(
                    "return window.__ssprOldPage ? 'old' : document.readyState;",
                    vec![],
                )
                .await;
            if matches!(&state, Ok(Value::String(s)) if s == "complete") {
                return;
            }
            assert!(Instant::now() < deadline, "no next page came: {state:?}");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Types `text` into the field that `css` selects (which gets the focus).
    pub async fn type_into(&self, css: &str, text: &str) {
        let field = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"));
        field.clear().await.expect("the field clears");
        field
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("{css} does not take keys: {e}"));
    }

    /// Presses and releases `keys` in order on the keyboard (at whatever has the focus).
    pub async fn press(&self, keys: &[Key]) {
        let mut actions = KeyActions::new("keyboard".into());
        for key in keys {
            actions = actions
                .then(KeyAction::Down {
                    value: char::from(*key),
                })
                .then(KeyAction::Up {
                    value: char::from(*key),
                });
        }
        self.client
            .perform_actions(actions)
            .await
            .expect("the keys are pressed");
    }

    /// Presses `key` with Ctrl held down.
    pub async fn press_with_ctrl(&self, key: char) {
        let control = char::from(Key::Control);
        let actions = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: control })
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key })
            .then(KeyAction::Up { value: control });
        self.client
            .perform_actions(actions)
            .await
            .expect("the keys are pressed");
    }

    /// Describes the element that has the focus (as [`DESCRIBE_JS`] describes it).
    pub async fn focused(&self) -> String {
        let value = self
            .js(
                &format!("{DESCRIBE_JS}\nreturn describe(document.activeElement);"),
                vec![],
            )
            .await;
        value.as_str().unwrap_or_default().to_owned()
    }

    /// Waits until the current document has loaded.
    pub async fn loaded(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let state = self
                .client
                .execute("return document.readyState;", vec![])
                .await;
            if matches!(&state, Ok(Value::String(s)) if s == "complete") {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the page did not load: {state:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Every check of a page that has just loaded (nothing focused yet): axe-core (no
    /// violation), a screenshot, the focus order (Tab after Tab reaches every control in
    /// the order of the page) with a visible focus ring at each stop.
    pub async fn check(&mut self, name: &str) {
        self.loaded().await;
        let title = self.client.title().await.expect("a title");
        let (violations, incomplete, passes) = self.axe().await;
        let screenshot = self.screenshot(name).await;
        let focus = self.focus_order(name).await;
        assert!(
            violations.is_empty(),
            "axe-core found {} violations on {name} ({}):\n{}",
            violations.len(),
            screenshot.display(),
            violations.join("\n")
        );
        self.pages.push(PageReport {
            title,
            violations: violations.len(),
            incomplete,
            passes,
            focus,
            screenshot,
            checked: true,
        });
    }

    /// The ids of the rules that axe-core finds broken once `html` is added to the
    /// page's `<main>` (taken out again afterwards): shows that the check can fail.
    pub async fn axe_finds(&self, html: &str) -> Vec<String> {
        self.js(
            "const probe = document.createElement('div');
             probe.id = 'axe-probe';
             probe.innerHTML = arguments[0];
             document.querySelector('main').append(probe);",
            vec![json!(html)],
        )
        .await;
        let (violations, _, _) = self.axe().await;
        self.js("document.getElementById('axe-probe').remove();", vec![])
            .await;
        violations
            .iter()
            .filter_map(|line| line.split('"').nth(1).map(str::to_owned))
            .collect()
    }

    /// Runs axe-core on the page: its violations (one line each, with the elements), the
    /// ids of the rules it could not decide, and the number of rules passed.
    async fn axe(&self) -> (Vec<String>, Vec<String>, usize) {
        let loaded = self.js("return typeof window.axe;", vec![]).await;
        if loaded != json!("object") {
            self.js(&self.axe, vec![]).await;
            let loaded = self.js("return typeof window.axe;", vec![]).await;
            assert_eq!(loaded, json!("object"), "axe-core did not load");
        }
        let result = self
            .client
            .execute_async(
                r#"
                const done = arguments[arguments.length - 1];
                axe.run(document)
                  .then((r) => done({
                    violations: r.violations.map((v) => ({
                      id: v.id, impact: v.impact, help: v.help,
                      nodes: v.nodes.map((n) => n.target.join(" ") + ": " + n.failureSummary),
                    })),
                    incomplete: r.incomplete.map((v) => v.id),
                    passes: r.passes.length,
                  }))
                  .catch((e) => done({ error: String(e) }));
                "#,
                vec![],
            )
            .await
            .expect("axe-core runs");
        assert!(result.get("error").is_none(), "axe-core failed: {result}");
        let mut violations = Vec::new();
        for v in result["violations"].as_array().into_iter().flatten() {
            let mut line = format!("- {} ({}): {}", v["id"], v["impact"], v["help"]);
            for node in v["nodes"].as_array().into_iter().flatten() {
                let _ = write!(line, "\n    {}", node.as_str().unwrap_or_default());
            }
            violations.push(line);
        }
        let incomplete = result["incomplete"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        let passes = result["passes"].as_u64().unwrap_or(0) as usize;
        (violations, incomplete, passes)
    }

    /// The page 320 CSS pixels wide (WCAG's reflow width): asserts that nothing makes it
    /// scroll sideways and that no date breaks across lines, and takes a screenshot.
    pub async fn narrow(&mut self, name: &str) {
        let screenshot = self.screenshot_at(name, 320).await;
        let widths = self
            .js(
                "return { inner: window.innerWidth,
                          scroll: document.documentElement.scrollWidth,
                          brokenTimes: [...document.querySelectorAll('time')]
                            .filter((t) => t.getClientRects().length > 1).length };",
                vec![],
            )
            .await;
        assert_eq!(widths["inner"], json!(320), "the window is 320 px wide");
        assert!(
            widths["scroll"].as_u64() <= widths["inner"].as_u64(),
            "{name} scrolls sideways at 320 px: {widths}"
        );
        assert_eq!(
            widths["brokenTimes"],
            json!(0),
            "a date broken across lines on {name}"
        );
        let title = self.client.title().await.expect("a title");
        self.pages.push(PageReport {
            title,
            violations: 0,
            incomplete: Vec::new(),
            passes: 0,
            focus: Vec::new(),
            screenshot,
            checked: false,
        });
        self.client
            .set_window_size(WIDTH, 800)
            .await
            .expect("the window resizes");
    }

    /// A screenshot alone: of a page that is not the wizard's (Chromium's own), or of a
    /// page checked before, in another state.
    pub async fn screenshot_only(&mut self, name: &str) {
        let screenshot = self.screenshot(name).await;
        let title = self.client.title().await.expect("a title");
        self.pages.push(PageReport {
            title,
            violations: 0,
            incomplete: Vec::new(),
            passes: 0,
            focus: Vec::new(),
            screenshot,
            checked: false,
        });
    }

    /// A screenshot of the whole page (the window made as tall as the page), numbered in
    /// the order the test took them.
    async fn screenshot(&mut self, name: &str) -> PathBuf {
        self.screenshot_at(name, WIDTH).await
    }

    /// [`Browser::screenshot`] with the window `width` pixels wide.
    async fn screenshot_at(&mut self, name: &str, width: u32) -> PathBuf {
        let (_, height) = self.client.get_window_size().await.expect("a window size");
        self.client
            .set_window_size(width, height as u32)
            .await
            .expect("the window resizes");
        let sizes = self
            .js(
                "return [document.documentElement.scrollHeight, \
                 window.outerHeight - window.innerHeight];",
                vec![],
            )
            .await;
        let page = sizes[0].as_u64().unwrap_or(800) as u32;
        let frame = sizes[1].as_u64().unwrap_or(0) as u32;
        self.client
            .set_window_size(width, page.max(600) + frame)
            .await
            .expect("the window resizes");
        let png = self.client.screenshot().await.expect("a screenshot");
        self.shot += 1;
        let path = self.shots.join(format!("{:02}-{name}.png", self.shot));
        std::fs::write(&path, png).expect("the screenshot is written");
        path
    }

    /// Presses Tab from the top of the page until the focus leaves it or comes round
    /// again, and checks that the stops are the page's controls in the order of the page
    /// (the checked radio button of a group; no positive `tabindex`), each with a visible
    /// focus ring. Returns the stops.
    async fn focus_order(&self, name: &str) -> Vec<String> {
        let expected = self
            .js(&format!("{DESCRIBE_JS}\n{EXPECTED_FOCUS_JS}"), vec![])
            .await;
        let expected: Vec<String> = expected
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        let positive = self
            .js(
                "return [...document.querySelectorAll('[tabindex]')]\
                 .filter((e) => e.tabIndex > 0).length;",
                vec![],
            )
            .await;
        assert_eq!(positive, json!(0), "a positive tabindex on {name}");

        let mut stops: Vec<String> = Vec::new();
        for _ in 0..3 * expected.len() + 10 {
            self.press(&[Key::Tab]).await;
            let stop = self.js(&format!("{DESCRIBE_JS}\n{FOCUS_JS}"), vec![]).await;
            let described = stop["element"].as_str().unwrap_or_default().to_owned();
            if described == "body" || stops.first() == Some(&described) {
                break;
            }
            // The player's own buttons are inside the audio element: one stop.
            if stops.last() == Some(&described) {
                continue;
            }
            assert_eq!(
                stop["ring"],
                json!(true),
                "no visible focus ring at {described} on {name}: {stop}"
            );
            stops.push(described);
        }
        assert_eq!(stops, expected, "the focus order of {name}");
        stops
    }
}

/// `describe(element)`: a short name of an element (`input#user_id`, `button "Next"`).
const DESCRIBE_JS: &str = r##"
function describe(el) {
  if (!el || el === document.body || el === document.documentElement) { return "body"; }
  const tag = el.tagName.toLowerCase();
  if (el.id) { return tag + "#" + el.id; }
  const text = (el.innerText || el.getAttribute("aria-label") || "").trim().replace(/\s+/g, " ");
  return text ? tag + ' "' + text + '"' : tag;
}
"##;

/// What Tab should reach, in the order of the page: links, buttons, fields and players
/// that show, are enabled and are not taken out of the order; of a group of radio
/// buttons, the checked one (or the first).
const EXPECTED_FOCUS_JS: &str = r#"
const seen = new Set();
const order = [];
const all = document.querySelectorAll(
  "a[href], button, input, select, textarea, audio[controls], video[controls], [tabindex]");
for (const el of all) {
  if (el.disabled || el.type === "hidden" || el.tabIndex < 0) { continue; }
  if (el.getClientRects().length === 0) { continue; }
  if (el.parentElement && el.parentElement.closest("audio, video")) { continue; }
  if (el.type === "radio") {
    if (seen.has(el.name)) { continue; }
    seen.add(el.name);
    const group = [...document.querySelectorAll("input[type=radio]")]
      .filter((r) => r.name === el.name && !r.disabled);
    order.push(describe(group.find((r) => r.checked) || group[0]));
    continue;
  }
  order.push(describe(el));
}
return order;
"#;

/// The focused element, and whether its focus shows: an outline of at least 2 px, or a
/// box shadow (the stylesheet's ring). Needs [`DESCRIBE_JS`].
const FOCUS_JS: &str = r#"
const el = document.activeElement;
const style = el ? getComputedStyle(el) : null;
const outline = style && style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
const shadow = style && style.boxShadow && style.boxShadow !== "none";
return {
  element: describe(el),
  focusVisible: !!el && el.matches(":focus-visible"),
  outline: style ? style.outlineStyle + " " + style.outlineWidth + " " + style.outlineColor : "",
  ring: !!(outline || shadow),
};
"#;
