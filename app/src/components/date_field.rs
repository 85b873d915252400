//! Expires At: a `dd-mm-yyyy` text field with a calendar to pick from.

use leptos::prelude::*;

use super::field::FieldMessages;

use crate::{
    calendar::{MONTH_NAMES, days_in_month, unix_midnight},
    token::ExpiryDate,
};

const WEEKDAYS: [&str; 7] = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];

/// 0 = Monday.
fn weekday(year: i64, month: u32, day: u32) -> usize {
    // 1970-01-01 was a Thursday (3).
    ((unix_midnight(year, month, day).div_euclid(86_400) + 3).rem_euclid(7)) as usize
}

#[component]
pub fn DateField(
    value: RwSignal<String>,
    today: Signal<ExpiryDate>,
    /// The latest date that may be chosen (the policy's, or the longest lifetime any token
    /// may have).
    latest: Signal<Option<ExpiryDate>>,
    error: Signal<Option<String>>,
    hint: ViewFn,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let shown = RwSignal::new({
        let start =
            ExpiryDate::parse_dmy(&value.get_untracked()).unwrap_or_else(|_| today.get_untracked());
        (start.year(), start.month())
    });
    let step = move |delta: i32| {
        shown.update(|(year, month)| {
            let index = *year * 12 + i64::from(*month) - 1 + i64::from(delta);
            *year = index.div_euclid(12);
            *month = (index.rem_euclid(12) + 1) as u32;
        });
    };
    let pick = move |year: i64, month: u32, day: u32| {
        value.set(format!("{day:02}-{month:02}-{year:04}"));
        open.set(false);
    };
    view! {
        <div class="field date-field">
            <label for="token-expires">"Expires At"</label>
            <div class="date-field__row">
                <input
                    id="token-expires"
                    type="text"
                    inputmode="numeric"
                    autocomplete="off"
                    placeholder="dd-mm-yyyy"
                    prop:value=move || value.get()
                    on:input:target=move |e| value.set(e.target().value())
                    aria-invalid=move || error.get().is_some().to_string()
                    aria-describedby="token-expires-help token-expires-error"
                />
                <button
                    type="button"
                    class="button"
                    aria-expanded=move || open.get().to_string()
                    aria-controls="token-expires-calendar"
                    on:click=move |_| open.update(|o| *o = !*o)
                >
                    "Calendar"
                </button>
            </div>
            <FieldMessages
                id="token-expires"
                hint=Some(hint)
                error
            />
            <Show when=move || open.get()>
                <div
                    class="calendar"
                    id="token-expires-calendar"
                    role="group"
                    aria-label="Choose the expiry date"
                    on:keydown=move |e| {
                        if e.key() == "Escape" {
                            e.stop_propagation();
                            e.prevent_default();
                            open.set(false);
                        }
                    }
                >
                    <div class="calendar__header">
                        <button type="button" class="button button--small" aria-label="Previous month" on:click=move |_| step(-1)>"‹"</button>
                        <strong aria-live="polite">
                            {move || {
                                let (year, month) = shown.get();
                                format!("{} {year}", MONTH_NAMES[month as usize - 1])
                            }}
                        </strong>
                        <button type="button" class="button button--small" aria-label="Next month" on:click=move |_| step(1)>"›"</button>
                    </div>
                    <div class="calendar__grid">
                        {WEEKDAYS.iter().map(|d| view! { <span class="calendar__weekday" aria-hidden="true">{*d}</span> }).collect::<Vec<_>>()}
                        {move || {
                            let (year, month) = shown.get();
                            let blanks = weekday(year, month, 1);
                            let today = today.get();
                            let chosen = ExpiryDate::parse_dmy(&value.get()).ok();
                            let mut cells: Vec<AnyView> = (0..blanks)
                                .map(|_| view! { <span></span> }.into_any())
                                .collect();
                            for day in 1..=days_in_month(year, month) {
                                let date = ExpiryDate::parse_dmy(&format!("{day}-{month}-{year}")).ok();
                                let past = date.is_some_and(|d| {
                                    d < today || latest.get().is_some_and(|latest| d > latest)
                                });
                                let is_chosen = date.is_some() && date == chosen;
                                cells.push(view! {
                                    <button
                                        type="button"
                                        class="calendar__day"
                                        class:calendar__day--chosen=is_chosen
                                        aria-pressed=is_chosen.to_string()
                                        aria-label=format!("{day} {} {year}", MONTH_NAMES[month as usize - 1])
                                        disabled=past
                                        on:click=move |_| pick(year, month, day)
                                    >
                                        {day}
                                    </button>
                                }.into_any());
                            }
                            cells
                        }}
                    </div>
                </div>
            </Show>
        </div>
    }
}
