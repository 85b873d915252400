use leptos::prelude::*;

use crate::{account::UserView, error::ServerError, server_fns::session::ending_token_count};

/// The top bar's count of the user's tokens ending soon, loaded by the layout beside the user
/// and awaited in the same place: the bar itself holds no resource or suspense of its own, so
/// the server's HTML and the browser's hydration walk the same nodes.
pub type EndingCount = Resource<Result<usize, ServerError>>;

/// The count, reloaded whenever [`TokenChanges`] says tokens changed.
pub fn ending_count() -> EndingCount {
    let changes = use_context::<TokenChanges>();
    Resource::new_blocking(
        move || changes.map(|changes| changes.0.get()),
        |_| ending_token_count(),
    )
}

/// Told by a page when the signed-in user's tokens change, so the top bar's count of tokens
/// ending soon follows (the Settings frame provides it).
#[derive(Debug, Clone, Copy)]
pub struct TokenChanges(RwSignal<u32>);

impl TokenChanges {
    pub fn provide() {
        provide_context(Self(RwSignal::new(0)));
    }

    pub fn notify(self) {
        self.0.update(|n| *n = n.wrapping_add(1));
    }
}

/// The header of signed-in pages: brand, who is signed in, Settings at the top right, and
/// Sign out (a plain form post, so it works before hydration too).
#[component]
pub fn TopBar(
    user: UserView,
    /// How many of the user's tokens end soon (see [`ending_count`]).
    #[prop(default = 0)]
    ending: usize,
) -> impl IntoView {
    let admin = (user.role == crate::account::Role::Admin).then_some(view! {
        <span class="badge">"Admin"</span>
    });
    let ending_badge = (ending > 0).then(|| {
        let words = if ending == 1 {
            "1 token ends soon".to_owned()
        } else {
            format!("{ending} tokens end soon")
        };
        view! {
            <a
                class="topbar__ending"
                href="/settings/tokens"
                title=format!("{words}: see Settings → Access Tokens")
                aria-label=words
            >
                <span class="topbar__ending-count">{ending}</span>
                " ending"
            </a>
        }
    });
    view! {
        <header class="topbar">
            <a class="topbar__brand" href="/">"Tessera"</a>
            <div class="topbar__actions">
                {ending_badge}
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
