//! The WASM entry point. Trunk builds this crate; the server's `HydrationScripts` load it and
//! call `hydrate`, which attaches the reactive system to the server-rendered HTML.

// The dashboard's view types nest deeply; the default limit (128) is too low for them.
#![recursion_limit = "512"]

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
