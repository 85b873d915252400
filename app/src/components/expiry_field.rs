//! The Expiration Model of a token, as both token dialogs offer it: Hard Limit on a date
//! (`dd-mm-yyyy`, the main path) or after a duration, Auto Refresh with its window, or Never
//! where the policy allows it.

use leptos::prelude::*;

use super::{date_field::DateField, field::TextField};
use crate::{
    calendar::format_dmy,
    token::{ExpirationModel, ExpiryDate, ExpiryInput, Lifetime, TokenPolicy, TokenView},
};

/// Which way the expiry is being chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpiryChoice {
    Date,
    Duration,
    AutoRefresh,
    Never,
}

impl ExpiryChoice {
    const ALL: [Self; 4] = [Self::Date, Self::Duration, Self::AutoRefresh, Self::Never];

    fn label(self) -> &'static str {
        match self {
            Self::Date => "Hard Limit: date",
            Self::Duration => "Hard Limit: duration",
            Self::AutoRefresh => "Auto Refresh",
            Self::Never => "Never",
        }
    }
}

/// What the field holds: the choice and the text typed for each way, so switching back and
/// forth loses nothing.
#[derive(Debug, Clone, Copy)]
pub struct ExpiryFieldState {
    pub choice: RwSignal<ExpiryChoice>,
    pub date: RwSignal<String>,
    pub duration: RwSignal<String>,
    pub window: RwSignal<String>,
    /// Auto Refresh's optional absolute end, `dd-mm-yyyy`.
    pub not_after: RwSignal<String>,
}

const DURATION_FORMAT: &str = "Write it as 90s, 20m, 12h or 30d.";

/// A new token's suggested lifetime, in the date field: the policy's latest date if sooner.
const SUGGESTED_DAYS: i64 = 30;

impl ExpiryFieldState {
    /// A new token's field: `choice`, with a date 30 days out (or the policy's latest) and
    /// 30-day durations filled in.
    pub fn new_token(choice: ExpiryChoice, policy: &TokenPolicy, now: i64) -> Self {
        let suggested =
            ExpiryDate::of_unix(now + SUGGESTED_DAYS * 86_400).min(policy.latest_allowed_date(now));
        Self::with(
            choice,
            suggested.to_string(),
            "30d".to_owned(),
            "30d".to_owned(),
            String::new(),
        )
    }

    /// An edited or copied token's field, showing how it expires now: left untouched it
    /// keeps that expiry exactly (see [`Self::input`]).
    pub fn of_token(token: &TokenView) -> Self {
        let window = token
            .refresh_window_secs
            .and_then(|secs| Lifetime::from_secs(secs.unsigned_abs()).ok())
            .map_or_else(|| "30d".to_owned(), |window| window.to_string());
        let date = match (token.expiration, token.expires_at) {
            // A date limit ends at midnight after its last valid day.
            (ExpirationModel::HardLimit, Some(at)) if at % 86_400 == 0 => format_dmy(at - 1),
            (_, Some(at)) => format_dmy(at),
            (_, None) => String::new(),
        };
        let choice = match token.expiration {
            ExpirationModel::Never => ExpiryChoice::Never,
            ExpirationModel::HardLimit => ExpiryChoice::Date,
            ExpirationModel::AutoRefresh => ExpiryChoice::AutoRefresh,
        };
        let not_after = token.not_after.map(last_day).unwrap_or_default();
        Self::with(choice, date, "30d".to_owned(), window, not_after)
    }

    fn with(
        choice: ExpiryChoice,
        date: String,
        duration: String,
        window: String,
        not_after: String,
    ) -> Self {
        Self {
            choice: RwSignal::new(choice),
            date: RwSignal::new(date),
            duration: RwSignal::new(duration),
            window: RwSignal::new(window),
            not_after: RwSignal::new(not_after),
        }
    }

    /// Whether the chosen way has text in it (its errors show as soon as something is typed).
    pub fn typed(&self) -> bool {
        let filled = |text: RwSignal<String>| !text.with(|t| t.trim().is_empty());
        match self.choice.get() {
            ExpiryChoice::Date => filled(self.date),
            ExpiryChoice::Duration => filled(self.duration),
            ExpiryChoice::AutoRefresh => filled(self.window),
            ExpiryChoice::Never => true,
        }
    }

    /// The expiry as typed, for [`crate::token::TokenInput`].
    pub fn input(&self) -> ExpiryInput {
        match self.choice.get() {
            ExpiryChoice::Date => ExpiryInput::Date(self.date.get()),
            ExpiryChoice::Duration => ExpiryInput::Lasting(self.duration.get()),
            ExpiryChoice::AutoRefresh => ExpiryInput::AutoRefresh {
                window: self.window.get(),
                not_after: Some(self.not_after.get()).filter(|end| !end.trim().is_empty()),
            },
            ExpiryChoice::Never => ExpiryInput::Never,
        }
    }
}

/// The last valid day of an end instant: the day before when it falls at midnight.
fn last_day(end: i64) -> String {
    if end % 86_400 == 0 {
        format_dmy(end - 1)
    } else {
        format_dmy(end)
    }
}

#[component]
pub fn ExpiryField(
    state: ExpiryFieldState,
    policy: std::sync::Arc<TokenPolicy>,
    /// The server's clock (unix seconds).
    #[prop(into)]
    now: Signal<i64>,
    #[prop(into)] error: Signal<Option<String>>,
    /// How the token expires now (edits and copies).
    #[prop(default = None)]
    current: Option<String>,
) -> impl IntoView {
    let never_allowed = policy
        .check_expiry(&crate::token::ExpirySpec::Never, 0)
        .is_ok();
    let required_note = if never_allowed {
        ""
    } else {
        " This server's policy requires every token to expire."
    };
    let max_note = policy
        .max_lifetime()
        .map(|max| format!(" This server allows at most {max}."))
        .unwrap_or_default()
        + required_note;
    let now_note = current
        .map(|current| format!("Now: {current}. "))
        .unwrap_or_default();
    let choices = ExpiryChoice::ALL
        .into_iter()
        .filter(|choice| never_allowed || *choice != ExpiryChoice::Never)
        .map(|choice| {
            view! {
                <label class="checkbox">
                    <input
                        type="radio"
                        name="expiration-model"
                        prop:checked=move || state.choice.get() == choice
                        on:change=move |_| state.choice.set(choice)
                    />
                    {choice.label()}
                </label>
            }
        })
        .collect::<Vec<_>>();
    view! {
        <fieldset class="field choice-row expiry-field">
            <legend>"Expiration Model"</legend>
            {choices}
        </fieldset>
        {move || match state.choice.get() {
            ExpiryChoice::Date => {
                let policy = policy.clone();
                let latest_policy = policy.clone();
                let now_note = now_note.clone();
                view! {
                    <DateField
                        value=state.date
                        today=Signal::derive(move || ExpiryDate::of_unix(now.get()))
                        latest=Signal::derive(move || Some(latest_policy.latest_allowed_date(now.get())))
                        error
                        hint=ViewFn::from(move || {
                            let policy = policy.clone();
                            view! {
                                {now_note.clone()}
                                "Hard Limit: valid through the end of the date (UTC), used or not."
                                {move || format!(" The latest date allowed is {}.", policy.latest_allowed_date(now.get()))}
                                {required_note}
                            }
                        })
                    />
                }
                .into_any()
            }
            choice @ (ExpiryChoice::Duration | ExpiryChoice::AutoRefresh) => {
                let (id, label, value, rule) = if choice == ExpiryChoice::Duration {
                    (
                        "token-duration",
                        "Expires after",
                        state.duration,
                        "Hard Limit: the token stops this long after it is saved, used or not.",
                    )
                } else {
                    (
                        "token-window",
                        "Renews for",
                        state.window,
                        "Auto Refresh: every use before it expires renews it for this long again.",
                    )
                };
                let hint = format!("{now_note}{rule} {DURATION_FORMAT}{max_note}");
                let end_hint = if policy.max_lifetime().is_some() {
                    "Optional: the last date it may be valid (dd-mm-yyyy), however often it is \
                     used. Empty: this server's maximum lifetime from today."
                } else {
                    "Optional: the last date it may be valid (dd-mm-yyyy), however often it is \
                     used. Empty: no end while it is used."
                };
                let not_after = (choice == ExpiryChoice::AutoRefresh).then(|| view! {
                    <TextField
                        id="token-not-after"
                        label="Ends no later than"
                        value=state.not_after
                        class="input--short"
                        placeholder="dd-mm-yyyy"
                        hint=move || end_hint
                        error=Signal::derive(|| None::<String>)
                    />
                });
                view! {
                    <TextField id label value class="input--short" hint=move || hint.clone() error />
                    {not_after}
                }
                .into_any()
            }
            ExpiryChoice::Never => view! {
                <p class="field__help muted expiry-field__never" role="status">
                    {now_note.clone()}"The token works until it is removed."
                </p>
                <p class="field__error" role="alert">{move || error.get()}</p>
            }
            .into_any(),
        }}
    }
}
