use leptos::prelude::*;
use leptos_meta::Title;

/// The Access Tokens tab: what tokens are for, until token management lands here.
#[component]
pub fn TokensTab() -> impl IntoView {
    view! {
        <Title text="Access Tokens" />
        <div class="card empty-state">
            <h2>"Access Tokens"</h2>
            <p>
                "Personal access tokens let scripts, IDE plugins and CI call the platform's API "
                "without your password. Each token can be limited to chosen API methods, "
                "resources and an expiry date, and removed at any time."
            </p>
            <p class="muted">"You have no access tokens."</p>
        </div>
    }
}
