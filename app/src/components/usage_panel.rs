//! A token's usage panel, under the token table when one token is selected (Settings → Access
//! Tokens and an admin's person page): calls per day as a stacked SVG chart with the same
//! figures as a table, the methods, environments and addresses, and what it may do but did
//! not, with **Narrow to what it uses** where the viewer may edit the token.

use leptos::prelude::*;

use super::token_table::date_time;
use crate::{
    calendar::format_dmy,
    error::ServerError,
    token::{CallCount, Narrowing, SUCCESS, TokenUsage, TokenView},
};

const CHART_WIDTH: f64 = 600.0;
const CHART_HEIGHT: f64 = 160.0;
/// Room under the bars for the day labels, and left of them for the scale.
const LABEL_ROOM: f64 = 18.0;
const SCALE_ROOM: f64 = 36.0;
/// Refusal codes beyond this many share the last colour.
const REFUSAL_COLOURS: usize = 4;

/// An outcome's colour class: success, then each refusal code in turn.
fn colour(outcomes: &[String], outcome: &str) -> String {
    if outcome == SUCCESS {
        return "usage-chart__success".to_owned();
    }
    let index = outcomes
        .iter()
        .filter(|o| *o != SUCCESS)
        .position(|o| o == outcome)
        .unwrap_or(0)
        .min(REFUSAL_COLOURS - 1);
    format!("usage-chart__refused-{}", index + 1)
}

fn calls(n: u64) -> String {
    if n == 1 {
        "1 call".to_owned()
    } else {
        format!("{n} calls")
    }
}

/// A scale top at or above `max`: 1, 2 or 5 times a power of ten.
fn scale_top(max: u64) -> u64 {
    let mut step = 1;
    loop {
        for factor in [1, 2, 5] {
            if step * factor >= max.max(1) {
                return step * factor;
            }
        }
        step *= 10;
    }
}

#[component]
fn Chart(usage: TokenUsage) -> impl IntoView {
    let top = scale_top(usage.days.iter().map(|d| d.total()).max().unwrap_or(0));
    let plot_height = CHART_HEIGHT - LABEL_ROOM;
    let slot = (CHART_WIDTH - SCALE_ROOM) / usage.days.len().max(1) as f64;
    let bar_width = (slot * 0.7).max(1.0);
    let height_of = move |n: u64| n as f64 / top as f64 * (plot_height - 6.0);
    let count = usage.days.len();
    let bars = usage
        .days
        .iter()
        .enumerate()
        .map(|(index, day)| {
            let x = SCALE_ROOM + index as f64 * slot + (slot - bar_width) / 2.0;
            let mut y = plot_height;
            let parts: Vec<String> = day
                .outcomes
                .iter()
                .map(|(outcome, n)| format!("{outcome} {n}"))
                .collect();
            let title = if parts.is_empty() {
                format!("{}: no calls", format_dmy(day.day))
            } else {
                format!(
                    "{}: {} ({})",
                    format_dmy(day.day),
                    calls(day.total()),
                    parts.join(", ")
                )
            };
            // Success at the bottom, refusals stacked above in the legend's order.
            let segments = usage
                .outcomes
                .iter()
                .filter_map(|outcome| day.outcomes.get(outcome).map(|n| (outcome, *n)))
                .map(|(outcome, n)| {
                    let h = height_of(n);
                    y -= h;
                    view! {
                        <rect
                            class=colour(&usage.outcomes, outcome)
                            x=format!("{x:.1}")
                            y=format!("{y:.1}")
                            width=format!("{bar_width:.1}")
                            height=format!("{h:.1}")
                        />
                    }
                })
                .collect_view();
            let label = (index == 0 || index + 1 == count || index == count / 2).then(|| {
                let text = format_dmy(day.day)[..5].to_owned();
                let anchor = if index == 0 {
                    "start"
                } else if index + 1 == count {
                    "end"
                } else {
                    "middle"
                };
                let at = if index == 0 {
                    x
                } else if index + 1 == count {
                    x + bar_width
                } else {
                    x + bar_width / 2.0
                };
                view! {
                    <text class="usage-chart__label" x=format!("{at:.1}") y=CHART_HEIGHT - 4.0 text-anchor=anchor>
                        {text}
                    </text>
                }
            });
            view! {
                <g>
                    <title>{title}</title>
                    // A full-height strip, so that a day without calls has its tooltip too.
                    <rect class="usage-chart__slot" x=format!("{:.1}", x - (slot - bar_width) / 2.0) y="0" width=format!("{slot:.1}") height=format!("{plot_height:.1}") />
                    {segments}
                </g>
                {label}
            }
        })
        .collect_view();
    view! {
        <svg
            class="usage-chart"
            viewBox=format!("0 0 {CHART_WIDTH} {CHART_HEIGHT}")
            role="img"
            aria-labelledby="usage-chart-title"
            data-total=usage.total().to_string()
        >
            <title id="usage-chart-title">
                {format!("Calls per day over {} days: {} in all", usage.days.len(), usage.total())}
            </title>
            <line class="usage-chart__axis" x1=SCALE_ROOM y1=plot_height x2=CHART_WIDTH y2=plot_height />
            <line class="usage-chart__grid" x1=SCALE_ROOM y1="6" x2=CHART_WIDTH y2="6" />
            <text class="usage-chart__label" x=SCALE_ROOM - 6.0 y="10" text-anchor="end">{top.to_string()}</text>
            <text class="usage-chart__label" x=SCALE_ROOM - 6.0 y=plot_height text-anchor="end">"0"</text>
            {bars}
        </svg>
    }
}

/// The chart's figures as a table: days with calls, newest first.
#[component]
fn DayTable(usage: TokenUsage) -> impl IntoView {
    let outcomes = usage.outcomes.clone();
    let rows = usage
        .days
        .iter()
        .rev()
        .filter(|day| day.total() > 0)
        .map(|day| {
            let cells = outcomes
                .iter()
                .map(|outcome| {
                    view! { <td class="number" data-label=outcome.clone()>{day.outcomes.get(outcome).copied().unwrap_or(0)}</td> }
                })
                .collect_view();
            view! {
                <tr>
                    <th scope="row">{format_dmy(day.day)}</th>
                    {cells}
                    <td class="number" data-label="All">{day.total()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="data-table usage-days">
            <caption class="sr-only">"Calls per day by outcome"</caption>
            <thead>
                <tr>
                    <th scope="col">"Day (UTC)"</th>
                    {outcomes.iter().map(|o| view! { <th scope="col" class="number">{o.clone()}</th> }).collect_view()}
                    <th scope="col" class="number">"All"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

#[component]
fn CountTable(
    caption: &'static str,
    heading: &'static str,
    counts: Vec<CallCount>,
) -> impl IntoView {
    view! {
        <table class="data-table">
            <caption>{caption}</caption>
            <thead>
                <tr>
                    <th scope="col">{heading}</th>
                    <th scope="col" class="number">"Allowed"</th>
                    <th scope="col" class="number">"Refused"</th>
                </tr>
            </thead>
            <tbody>
                {counts.into_iter().map(|c| view! {
                    <tr>
                        <td data-label=heading><code>{c.name}</code></td>
                        <td class="number" data-label="Allowed">{c.succeeded}</td>
                        <td class="number" data-label="Refused">{c.refused}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
pub fn UsagePanel(
    token: TokenView,
    usage: TokenUsage,
    /// Offered when the viewer may edit the token: the narrowing edit, to be confirmed.
    #[prop(optional)]
    on_narrow: Option<Callback<Narrowing>>,
) -> impl IntoView {
    let days = usage.days.len();
    let total = usage.total();
    let legend = usage
        .outcomes
        .iter()
        .map(|outcome| {
            let class = format!("usage-legend__swatch {}", colour(&usage.outcomes, outcome));
            view! {
                <li>
                    <svg class=class viewBox="0 0 10 10" aria-hidden="true"><rect width="10" height="10" /></svg>
                    {format!("{outcome}: {}", usage.total_of(outcome))}
                </li>
            }
        })
        .collect_view();
    let narrowing = usage.narrowing(&token);
    let used_nothing = usage.methods.iter().all(|m| m.succeeded == 0);
    // A token younger than the period has only had its own life to be used in.
    let period_start = usage.days.first().map_or(0, |day| day.day);
    let within = if token.created_at > period_start {
        format!("since it was made on {}", format_dmy(token.created_at))
    } else {
        format!("in {days} days")
    };
    let unused = (!usage.unused_methods.is_empty() || !usage.unused_environments.is_empty()).then(|| {
        let methods = usage.unused_methods.clone();
        let envs = usage.unused_environments.clone();
        let action = match (narrowing.clone(), on_narrow) {
            (Some(narrowing), Some(on_narrow)) => {
                let keeps = format!("It would keep {}.", narrowing.keeps.join(", "));
                view! {
                    <button type="button" class="button" on:click=move |_| on_narrow.run(narrowing.clone())>
                        "Narrow to what it uses"
                    </button>
                    <p class="muted">{keeps}</p>
                }
                .into_any()
            }
            _ if used_nothing => view! {
                <p class="muted">{format!("It made no allowed call {within}: if nothing needs it, remove it.")}</p>
            }
            .into_any(),
            _ => ().into_any(),
        };
        view! {
            <section class="usage-unused" aria-labelledby="usage-unused-title">
                <h3 id="usage-unused-title">{format!("Allowed but not used {within}")}</h3>
                <ul class="usage-unused__list">
                    {methods.into_iter().map(|m| view! { <li><code>{m}</code></li> }).collect_view()}
                    {envs.into_iter().map(|e| view! { <li>"Environment "<code>{e}</code></li> }).collect_view()}
                </ul>
                {action}
            </section>
        }
    });
    let sources = usage.sources.clone();
    view! {
        <section class="card usage-panel" aria-labelledby="usage-title" data-token-id=token.id.to_string()>
            <header class="usage-panel__header">
                <h2 id="usage-title">{format!("Usage of “{}”", token.description)}</h2>
                <p class="muted">
                    {format!("{} in the last {days} days (UTC)", calls(total))}
                </p>
            </header>
            <Chart usage=usage.clone() />
            <ul class="usage-legend">{legend}</ul>
            <details class="usage-days-details">
                <summary>"Calls per day as a table"</summary>
                {if total == 0 {
                    view! { <p class="muted">"No calls."</p> }.into_any()
                } else {
                    view! { <DayTable usage=usage.clone() /> }.into_any()
                }}
            </details>
            <div class="usage-panel__tables">
                {(!usage.methods.is_empty()).then(|| view! {
                    <CountTable caption="Methods called" heading="Method" counts=usage.methods.clone() />
                })}
                {(!usage.environments.is_empty()).then(|| view! {
                    <CountTable caption="Environments" heading="Environment" counts=usage.environments.clone() />
                })}
            </div>
            {(!sources.is_empty()).then(|| view! {
                <table class="data-table usage-sources">
                    <caption>"Where it was used from (the last five)"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Address"</th>
                            <th scope="col">"User agent"</th>
                            <th scope="col">"First seen"</th>
                            <th scope="col">"Last seen"</th>
                            <th scope="col" class="number">"Calls"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {sources.into_iter().map(|s| view! {
                            <tr>
                                <td data-label="Address">{s.ip.unwrap_or_else(|| "unknown".to_owned())}</td>
                                <td data-label="User agent" class="usage-sources__agent">{s.user_agent.unwrap_or_else(|| "none given".to_owned())}</td>
                                <td data-label="First seen">{date_time(s.first_seen)}</td>
                                <td data-label="Last seen">{date_time(s.last_seen)}</td>
                                <td data-label="Calls" class="number">{s.calls}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
            {unused}
        </section>
    }
}

/// What a usage panel loads: the token chosen and its usage, or `None` while none is.
pub type ChosenUsage = Resource<Result<Option<(TokenView, TokenUsage)>, ServerError>>;

/// The panel of the token whose usage `usage` loads; nothing while no token is chosen.
#[component]
pub fn LoadedUsagePanel(
    usage: ChosenUsage,
    /// Offered when the viewer may edit the token (see [`UsagePanel`]).
    #[prop(optional)]
    on_narrow: Option<Callback<(TokenView, Narrowing)>>,
) -> impl IntoView {
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match (usage.await, on_narrow) {
                    (Ok(Some((token, usage))), Some(on_narrow)) => {
                        let chosen = token.clone();
                        let on_narrow = Callback::new(move |narrowing: Narrowing| {
                            on_narrow.run((chosen.clone(), narrowing));
                        });
                        view! { <UsagePanel token usage on_narrow /> }.into_any()
                    }
                    (Ok(Some((token, usage))), None) => view! { <UsagePanel token usage /> }.into_any(),
                    (Ok(None), _) => ().into_any(),
                    (Err(error), _) => view! {
                        <p class="alert alert--error" role="alert">
                            {format!("The token's usage could not be loaded. {error}")}
                        </p>
                    }
                    .into_any(),
                }
            })}
        </Transition>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scale_tops_at_one_two_or_five_times_ten() {
        assert_eq!(scale_top(0), 1);
        assert_eq!(scale_top(3), 5);
        assert_eq!(scale_top(5), 5);
        assert_eq!(scale_top(6), 10);
        assert_eq!(scale_top(11), 20);
        assert_eq!(scale_top(4_001), 5_000);
    }

    #[test]
    fn refusals_take_colours_in_turn_and_share_the_last() {
        let outcomes: Vec<String> = ["success", "a", "b", "c", "d", "e"]
            .into_iter()
            .map(String::from)
            .collect();
        assert_eq!(colour(&outcomes, "success"), "usage-chart__success");
        assert_eq!(colour(&outcomes, "a"), "usage-chart__refused-1");
        assert_eq!(colour(&outcomes, "e"), "usage-chart__refused-4");
    }
}
