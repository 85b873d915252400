//! argon2id hashing off the async executor, with a bound on concurrent hashes and their
//! memory kept for reuse.

use std::sync::{Arc, Mutex, OnceLock};

use argon2::{
    Algorithm, Argon2, Block, Params, PasswordHash, PasswordHasher as _, Version,
    password_hash::{self, Output, ParamsString, SaltString},
};
use domain::account::Password;
use rand_core::OsRng;
use tokio::sync::Semaphore;

/// OWASP's recommended argon2id configuration: 19 MiB of memory, 2 passes, 1 lane.
const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;
const LANES: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("password hashing failed: {0}")]
    Argon2(password_hash::Error),
    #[error("password hashing task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    #[error("password hasher closed")]
    Closed,
}

impl From<password_hash::Error> for HashError {
    fn from(error: password_hash::Error) -> Self {
        Self::Argon2(error)
    }
}

impl From<argon2::Error> for HashError {
    fn from(error: argon2::Error) -> Self {
        Self::Argon2(error.into())
    }
}

#[derive(Clone, Debug)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    memory: Arc<BlockPool>,
}

impl Default for PasswordHasher {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Self {
            permits: Arc::new(Semaphore::new(cores)),
            memory: Arc::new(BlockPool {
                free: Mutex::default(),
                keep: cores,
            }),
        }
    }
}

/// argon2's working memory, one buffer per hash running, returned after each hash. A fresh
/// 19 MiB per hash is freed into whichever allocator arena the blocking thread used, where
/// glibc keeps it: a server grew past 500 MB over 1,000 sign-ins that way.
struct BlockPool {
    free: Mutex<Vec<Vec<Block>>>,
    /// Buffers kept at most: one per hash that may run at once.
    keep: usize,
}

impl std::fmt::Debug for BlockPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let buffers = self.free.lock().map_or(0, |free| free.len());
        f.debug_struct("BlockPool").field("free", &buffers).finish()
    }
}

impl BlockPool {
    fn take(&self) -> Vec<Block> {
        self.free
            .lock()
            .ok()
            .and_then(|mut free| free.pop())
            .unwrap_or_default()
    }

    /// Keeps `blocks` for the next hash, unless enough are kept already or they were grown
    /// for a stored hash that asked for more memory than ours (those are freed).
    fn give_back(&self, blocks: Vec<Block>) {
        if blocks.len() > params().block_count() {
            return;
        }
        if let Ok(mut free) = self.free.lock()
            && free.len() < self.keep
        {
            free.push(blocks);
        }
    }
}

fn params() -> Params {
    Params::new(MEMORY_KIB, PASSES, LANES, None).expect("valid argon2 parameters")
}

fn argon2() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params())
}

/// A hash of a random password, verified against when the account does not exist, so that
/// an unknown login costs the same time as a wrong password.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(super::secret::random_token(24).as_bytes(), &salt)
            .expect("hash the dummy password")
            .to_string()
    })
}

/// argon2 of `password` and `salt` into an output of `len` bytes, in `blocks` (grown when
/// the parameters ask for more memory than they hold).
fn compute(
    argon2: &Argon2<'_>,
    password: &[u8],
    salt: &password_hash::Salt<'_>,
    len: usize,
    blocks: &mut Vec<Block>,
) -> Result<Output, HashError> {
    let needed = argon2.params().block_count();
    if blocks.len() < needed {
        blocks.resize(needed, Block::default());
    }
    let mut salt_buffer = [0u8; password_hash::Salt::MAX_LENGTH];
    let salt = salt.decode_b64(&mut salt_buffer)?;
    Ok(Output::init_with(len, |out| {
        Ok(argon2.hash_password_into_with_memory(password, salt, out, &mut blocks[..])?)
    })?)
}

fn hash_in(password: &Password, blocks: &mut Vec<Block>) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    let argon2 = argon2();
    let output = compute(
        &argon2,
        password.expose().as_bytes(),
        &salt.as_salt(),
        Params::DEFAULT_OUTPUT_LEN,
        blocks,
    )?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(argon2.params())?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(hash.to_string())
}

/// The stored hash's own algorithm and parameters decide, so older hashes keep verifying.
fn verify_in(
    password: &Password,
    stored: &str,
    blocks: &mut Vec<Block>,
) -> Result<bool, HashError> {
    let parsed = PasswordHash::new(stored)?;
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return Err(password_hash::Error::PhcStringField.into());
    };
    let algorithm = Algorithm::try_from(parsed.algorithm)?;
    let version = parsed
        .version
        .map(Version::try_from)
        .transpose()?
        .unwrap_or_default();
    let argon2 = Argon2::new(algorithm, version, Params::try_from(&parsed)?);
    let computed = compute(
        &argon2,
        password.expose().as_bytes(),
        &salt,
        expected.len(),
        blocks,
    )?;
    // Output's equality is constant-time.
    Ok(computed == expected)
}

impl PasswordHasher {
    pub async fn hash(&self, password: &Password) -> Result<String, HashError> {
        let password = password.clone();
        self.run(move |blocks| hash_in(&password, blocks)).await
    }

    /// True when `password` matches `stored`. Without a stored hash (unknown account) it
    /// still spends the time of a verification and answers false.
    pub async fn verify(
        &self,
        password: &Password,
        stored: Option<&str>,
    ) -> Result<bool, HashError> {
        let password = password.clone();
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| dummy_hash()).to_owned();
        self.run(move |blocks| Ok(verify_in(&password, &stored, blocks)? && known))
            .await
    }

    /// Computes the dummy hash now rather than on the first unknown login.
    pub fn warm_up(&self) {
        let _ = dummy_hash();
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Vec<Block>) -> Result<T, HashError> + Send + 'static,
    ) -> Result<T, HashError> {
        // The permit goes with the hash, not with the request: a request dropped mid-hash
        // (its client gone) must not let another hash start beside the one still running.
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|_| HashError::Closed)?;
        let memory = Arc::clone(&self.memory);
        tokio::task::spawn_blocking(move || {
            let mut blocks = memory.take();
            let result = work(&mut blocks);
            memory.give_back(blocks);
            drop(permit);
            result
        })
        .await?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn verifies_only_the_right_password() {
        let hasher = PasswordHasher::default();
        let right = Password::new("correct horse battery staple".into()).unwrap();
        let wrong = Password::new("correct horse battery stapl".into()).unwrap();

        let hash = hasher.hash(&right).await.unwrap();

        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(!hash.contains("correct horse"));
        assert!(hasher.verify(&right, Some(&hash)).await.unwrap());
        assert!(!hasher.verify(&wrong, Some(&hash)).await.unwrap());
        assert!(!hasher.verify(&right, None).await.unwrap());
    }

    #[tokio::test]
    async fn hashes_are_standard_phc_strings_both_ways() {
        use argon2::PasswordVerifier as _;
        let hasher = PasswordHasher::default();
        let password = Password::new("correct horse battery staple".into()).unwrap();

        let ours = hasher.hash(&password).await.unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            argon2()
                .verify_password(password.expose().as_bytes(), &parsed)
                .is_ok()
        );

        // A hash made elsewhere, with other parameters (an older configuration), verifies.
        let older = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8 * 1024, 3, 1, None).unwrap(),
        )
        .hash_password(
            password.expose().as_bytes(),
            &SaltString::generate(&mut OsRng),
        )
        .unwrap()
        .to_string();
        assert!(hasher.verify(&password, Some(&older)).await.unwrap());
        let wrong = Password::new("correct horse battery stapl".into()).unwrap();
        assert!(!hasher.verify(&wrong, Some(&older)).await.unwrap());
    }

    #[tokio::test]
    async fn memory_is_reused_not_reallocated() {
        let hasher = PasswordHasher::default();
        let password = Password::new("correct horse battery staple".into()).unwrap();
        let hash = hasher.hash(&password).await.unwrap();
        let kept = hasher.memory.take();
        let address = kept.as_ptr();
        assert_eq!(kept.len(), params().block_count());
        hasher.memory.give_back(kept);

        for _ in 0..3 {
            assert!(hasher.verify(&password, Some(&hash)).await.unwrap());
        }

        let free = hasher.memory.free.lock().unwrap();
        assert_eq!(free.len(), 1, "one hash at a time needs one buffer");
        assert_eq!(
            free[0].as_ptr(),
            address,
            "the same buffer served every hash"
        );
    }

    #[test]
    fn the_pool_keeps_one_buffer_per_concurrent_hash_and_none_oversized() {
        let pool = || BlockPool {
            free: Mutex::default(),
            keep: 2,
        };
        let ours = || vec![Block::default(); params().block_count()];

        let full = pool();
        for _ in 0..4 {
            full.give_back(ours());
        }
        assert_eq!(full.free.lock().unwrap().len(), 2);

        let grown = pool();
        grown.give_back(vec![Block::default(); params().block_count() + 1]);
        assert!(
            grown.free.lock().unwrap().is_empty(),
            "grown buffers are freed"
        );
    }
}
