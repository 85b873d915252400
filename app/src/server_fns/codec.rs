//! The server functions' JSON encoding. It differs from `server_fn`'s `Json` in one way: it
//! reads answers as text (`serde_json::from_str`), the reader Leptos uses for the hydration
//! data of resources. `serde_json` instantiates a deserializer per reader and type, so using
//! one reader for both paths keeps one copy of each type's deserializer in the WASM bundle.

use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType, codec::Post};
use serde::{Serialize, de::DeserializeOwned};

/// Arguments and answers as JSON in the body of a `POST` request.
pub type Json = Post<JsonText>;

pub struct JsonText;

impl ContentType for JsonText {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for JsonText {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for JsonText {
    type Error = serde_json::Error;

    fn encode(value: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(value).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for JsonText {
    type Error = JsonTextError;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(|_| JsonTextError::NotUtf8)?;
        serde_json::from_str(text).map_err(JsonTextError::Json)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum JsonTextError {
    #[error("the body is not UTF-8 text")]
    NotUtf8,
    #[error(transparent)]
    Json(serde_json::Error),
}
