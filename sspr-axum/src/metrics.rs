//! Counters and histograms of the wizard through the [`metrics`] facade: a host installs
//! a recorder (a Prometheus exporter, StatsD, …) and gets them; without one they cost a
//! no-op. Labels name steps, endings, refusal reasons (their message identifiers), routes
//! and status codes: never a user ID, an address, a flow ID or anything typed.
//!
//! | name | kind | labels |
//! | --- | --- | --- |
//! | `sspr_steps_total` | counter | `step`: the step a request led to (`select_account`, `identify`, `choose_method`, `verify`, `new_password`) |
//! | `sspr_endings_total` | counter | `ending`: `completed`, `ask_admin`, `locked`, `expired`, `personal_account` |
//! | `sspr_refusals_total` | counter | `reason`: the refusal's message identifier (`refusal-wrong-code`, …) |
//! | `sspr_requests_total` | counter | `route` (the route's path template), `status` |
//! | `sspr_request_duration_seconds` | histogram | `route` |

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next as Middleware;
use axum::response::Response;
use sspr::message::Message;
use sspr::{AnyStep, Ending, Next, Refusal};

/// Counts where a request led: a step, or an ending, and the refusal if any.
pub(crate) fn record(next: &Next, refusal: Option<&Refusal>) {
    match next {
        Next::Step(step) => {
            metrics::counter!("sspr_steps_total", "step" => step_name(step)).increment(1);
        }
        Next::End(ending) => {
            metrics::counter!("sspr_endings_total", "ending" => ending_name(ending)).increment(1);
        }
    }
    if let Some(refusal) = refusal {
        metrics::counter!("sspr_refusals_total", "reason" => refusal.message_id()).increment(1);
    }
}

/// Counts an ending reached without a step (an expired flow found on resume).
pub(crate) fn record_ending(ending: &Ending) {
    metrics::counter!("sspr_endings_total", "ending" => ending_name(ending)).increment(1);
}

fn step_name(step: &AnyStep) -> &'static str {
    match step {
        AnyStep::SelectAccount(_) => "select_account",
        AnyStep::Identify(_) => "identify",
        AnyStep::ChooseMethod(_) => "choose_method",
        AnyStep::Verify(_) => "verify",
        AnyStep::NewPassword(_) => "new_password",
    }
}

fn ending_name(ending: &Ending) -> &'static str {
    match ending {
        Ending::Completed(_) => "completed",
        Ending::AskAdmin(_) => "ask_admin",
        Ending::Locked(_) => "locked",
        Ending::Expired(_) => "expired",
        Ending::PersonalAccount(_) => "personal_account",
    }
}

/// Times every request of the router and counts it by route template and status.
pub(crate) async fn track(request: Request, next: Middleware) -> Response {
    // The template (`/reset/verify`), never the path as sent: no label from the client.
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    let seconds = started.elapsed().as_secs_f64();
    metrics::histogram!("sspr_request_duration_seconds", "route" => route.clone()).record(seconds);
    metrics::counter!(
        "sspr_requests_total",
        "route" => route,
        "status" => response.status().as_str().to_owned()
    )
    .increment(1);
    response
}
