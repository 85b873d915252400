use leptos::prelude::*;

use crate::account::UserView;

/// The header of signed-in pages: brand, who is signed in, Settings at the top right, and
/// Sign out (a plain form post, so it works before hydration too).
#[component]
pub fn TopBar(user: UserView) -> impl IntoView {
    let admin = (user.role == crate::account::Role::Admin).then_some(view! {
        <span class="badge">"Admin"</span>
    });
    view! {
        <header class="topbar">
            <a class="topbar__brand" href="/">"Tessera"</a>
            <div class="topbar__actions">
                <span class="topbar__user" title=user.login.clone()>
                    {user.display_name.clone()}
                    {admin}
                </span>
                {(user.role == crate::account::Role::Admin).then(|| view! {
                    <a class="button button--small" href="/admin/people">"People"</a>
                })}
                <a class="button button--small" href="/settings">"Settings"</a>
                <form method="post" action="/logout" class="topbar__signout">
                    <button type="submit" class="button button--small button--quiet">
                        "Sign out"
                    </button>
                </form>
            </div>
        </header>
    }
}
