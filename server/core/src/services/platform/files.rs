//! environment.file: list, read and write an environment's files.

use serde_json::{Value, json};

use super::{
    Answer, Call, MAX_FILE_BYTES, MAX_FILES_PER_ENVIRONMENT, PlatformError, PlatformService, answer,
};
use crate::{clock, storage::platform};

const MAX_PATH_CHARS: usize = 512;

/// An absolute path without `.`/`..` segments or empty names; a trailing `/` is dropped.
fn clean_path(raw: &str) -> Result<String, PlatformError> {
    let invalid = || {
        PlatformError::InvalidParameter(format!(
            "“{raw}” is not a file path: use an absolute path such as /conf/app.properties."
        ))
    };
    if !raw.starts_with('/') || raw.chars().count() > MAX_PATH_CHARS {
        return Err(invalid());
    }
    let segments: Vec<&str> = raw.trim_end_matches('/').split('/').skip(1).collect();
    if segments
        .iter()
        .any(|s| s.is_empty() || *s == "." || *s == ".." || s.chars().any(char::is_control))
    {
        return Err(invalid());
    }
    Ok(format!("/{}", segments.join("/")))
}

impl PlatformService {
    pub(super) async fn list_files(&self, call: Call<'_>) -> Result<Answer, PlatformError> {
        let env = self.env(&call).await?;
        let under = match call
            .params
            .optional("path")
            .filter(|p| *p != "/" && !p.is_empty())
        {
            Some(path) => format!("{}/", clean_path(path)?),
            None => "/".to_owned(),
        };
        let files = platform::list_files(self.database.pool(), env.env_id, &under).await?;
        let files: Vec<Value> = files
            .iter()
            .map(|f| json!({ "path": f.path, "size": f.size, "updated": f.updated_at }))
            .collect();
        Ok(answer([("files", Value::Array(files))]))
    }

    pub(super) async fn read_file(&self, call: Call<'_>) -> Result<Answer, PlatformError> {
        let env = self.env(&call).await?;
        let path = clean_path(call.params.required("path")?)?;
        let body = platform::read_file(self.database.pool(), env.env_id, &path)
            .await?
            .ok_or_else(|| {
                PlatformError::NotFound(format!("There is no file {path} in {}.", env.name))
            })?;
        Ok(answer([("path", json!(path)), ("body", json!(body))]))
    }

    pub(super) async fn write_file(&self, call: Call<'_>) -> Result<Answer, PlatformError> {
        let env = self.env(&call).await?;
        let path = clean_path(call.params.required("path")?)?;
        let body = call.params.optional("body").ok_or_else(|| {
            PlatformError::InvalidParameter("The parameter body is required.".into())
        })?;
        if body.len() > MAX_FILE_BYTES {
            return Err(PlatformError::QuotaExceeded(format!(
                "A file is at most {MAX_FILE_BYTES} bytes."
            )));
        }
        let mut tx = self.database.begin_write().await?;
        let exists = platform::read_file(&mut *tx, env.env_id, &path)
            .await?
            .is_some();
        if !exists
            && platform::count_files(&mut *tx, env.env_id).await? >= MAX_FILES_PER_ENVIRONMENT
        {
            return Err(PlatformError::QuotaExceeded(format!(
                "An environment holds at most {MAX_FILES_PER_ENVIRONMENT} files."
            )));
        }
        platform::write_file(&mut *tx, env.env_id, &path, body, clock::now()).await?;
        tx.commit()
            .await
            .map_err(crate::storage::StorageError::from)?;
        Ok(answer([("path", json!(path)), ("size", json!(body.len()))]))
    }
}

#[cfg(test)]
mod tests {
    use super::clean_path;

    #[test]
    fn paths_are_absolute_and_plain() {
        assert_eq!(
            clean_path("/conf/app.properties/").unwrap(),
            "/conf/app.properties"
        );
        for bad in ["conf", "/a/../b", "/a//b", "/./a", "/a\nb"] {
            assert!(clean_path(bad).is_err(), "{bad}");
        }
    }
}
