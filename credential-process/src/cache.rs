//! The per-user credential cache: one JSON file per key in a 0700 directory, written
//! 0600 through a temporary file and an atomic rename, and a lock file so parallel
//! cold calls make one STS request between them. The key hashes everything that makes
//! credentials different (role, token, session name, duration, endpoint), so a rotated
//! token or another role never sees another call's entry.
//!
//! The cache only ever saves work: a corrupt entry, a file or directory owned by
//! someone else, a read-only directory or a lock that cannot be had makes the call
//! behave as if there were no cache. Entries with less than [`MIN_REMAINING_SECONDS`]
//! left are never served, because botocore refreshes inside that window and would
//! otherwise get the same soon-to-expire credentials back.

use crate::credentials::ProcessCredentials;
use crate::time::Timestamp;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Credentials closer to expiry than this are not served (botocore's advisory window).
pub const MIN_REMAINING_SECONDS: i64 = 15 * 60;
const MAX_ENTRY_BYTES: u64 = 64 * 1024;
const LOCK_POLL: Duration = Duration::from_millis(10);
const LOCK_FILE: &str = ".lock";

/// The hex SHA-256 naming one set of credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheKey(String);

impl CacheKey {
    /// The key for these parameters. `token_identity` distinguishes tokens: the token's
    /// own hash ([`token_digest`]) or, for `--token-command`, the command text.
    pub fn new(
        role_arn: &str,
        token_identity: &str,
        session_name: &str,
        duration: u32,
        endpoint: &str,
    ) -> Self {
        let mut hasher = Sha256::new();
        for field in [
            "awsoidc-cache-v1",
            role_arn,
            token_identity,
            session_name,
            &duration.to_string(),
            endpoint,
        ] {
            // Length prefixes keep ("ab","c") and ("a","bc") apart.
            hasher.update((field.len() as u64).to_be_bytes());
            hasher.update(field.as_bytes());
        }
        CacheKey(hex(&hasher.finalize()))
    }

    /// The key as 64 hex digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `sha256:<hex>` of a token, so the cache key never holds the token itself.
pub fn token_digest(token: &str) -> String {
    format!("sha256:{}", hex(&Sha256::digest(token.as_bytes())))
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0xf)]));
    }
    text
}

/// Why an entry was not served.
#[derive(Debug, thiserror::Error)]
pub enum Miss {
    /// No file for this key.
    #[error("no cache entry")]
    Absent,
    /// Unparsable content.
    #[error("ignoring a corrupt cache entry: {0}")]
    Corrupt(String),
    /// The entry belongs to another key (a copied or tampered file).
    #[error("ignoring a cache entry written for another key")]
    OtherKey,
    /// Too close to expiry.
    #[error("cached credentials expire at {0}, within 15 minutes; refreshing")]
    Stale(Timestamp),
    /// Not a private regular file of ours.
    #[error("ignoring cache file {0}: not a regular file owned by this user with mode 0600")]
    NotPrivate(PathBuf),
    /// Reading failed.
    #[error("failed to read cache file {path}: {source}")]
    Read { path: PathBuf, source: io::Error },
}

/// Why the cache cannot be used at all (or one write or lock failed).
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// The directory could not be created or inspected.
    #[error("failed to create the cache directory {path}: {source}")]
    CreateDir { path: PathBuf, source: io::Error },
    /// The directory belongs to someone else, or is shared and cannot be made private.
    #[error("not using cache directory {0}: it is not a private directory owned by this user")]
    NotPrivate(PathBuf),
    /// The current user could not be determined.
    #[error("failed to determine the current user from /proc/self: {0}")]
    Uid(io::Error),
    /// A write failed.
    #[error("failed to write cache file {path}: {source}")]
    Write { path: PathBuf, source: io::Error },
    /// The lock file failed.
    #[error("failed to lock {path}: {source}")]
    Lock { path: PathBuf, source: io::Error },
    /// The lock stayed held until the deadline.
    #[error("gave up waiting for the cache lock {0}")]
    LockTimeout(PathBuf),
}

#[derive(Deserialize)]
struct Entry {
    key: String,
    credentials: ProcessCredentials,
}

/// Serve the credentials in an entry's text, if it is for `key` and not stale at `now`.
pub fn parse_entry(text: &str, key: &CacheKey, now: Timestamp) -> Result<ProcessCredentials, Miss> {
    let entry: Entry = serde_json::from_str(text).map_err(|e| Miss::Corrupt(e.to_string()))?;
    if entry.key != key.as_str() {
        return Err(Miss::OtherKey);
    }
    let credentials = entry.credentials;
    if now.seconds_until(credentials.expiration) < MIN_REMAINING_SECONDS {
        return Err(Miss::Stale(credentials.expiration));
    }
    Ok(credentials)
}

/// The text [`parse_entry`] reads back.
pub fn render_entry(key: &CacheKey, credentials: &ProcessCredentials) -> String {
    format!(
        "{{\"key\":\"{}\",\"credentials\":{}}}\n",
        key.as_str(),
        credentials.to_json()
    )
}

/// A private cache directory of the current user.
#[derive(Debug)]
pub struct Cache {
    dir: PathBuf,
    uid: u32,
}

/// Held while a cold call talks to STS; dropping it releases the lock.
#[derive(Debug)]
pub struct CacheLock {
    _held: File,
}

impl Cache {
    /// Open (creating with mode 0700) the directory; refuse one owned by another user.
    pub fn open(dir: &Path) -> Result<Cache, CacheError> {
        let uid = fs::metadata("/proc/self").map_err(CacheError::Uid)?.uid();
        let created = fs::DirBuilder::new().recursive(true).mode(0o700).create(dir);
        created.map_err(|source| CacheError::CreateDir {
            path: dir.to_owned(),
            source,
        })?;
        let metadata = fs::symlink_metadata(dir).map_err(|source| CacheError::CreateDir {
            path: dir.to_owned(),
            source,
        })?;
        if !metadata.is_dir() || metadata.uid() != uid {
            return Err(CacheError::NotPrivate(dir.to_owned()));
        }
        if metadata.mode() & 0o077 != 0 {
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
                .map_err(|_| CacheError::NotPrivate(dir.to_owned()))?;
        }
        Ok(Cache {
            dir: dir.to_owned(),
            uid,
        })
    }

    fn entry_path(&self, key: &CacheKey) -> PathBuf {
        self.dir.join(format!("{}.json", key.as_str()))
    }

    /// The fresh credentials stored for `key`.
    pub fn read(&self, key: &CacheKey, now: Timestamp) -> Result<ProcessCredentials, Miss> {
        let path = self.entry_path(key);
        let text = self.read_private(&path)?;
        parse_entry(&text, key, now)
    }

    fn read_private(&self, path: &Path) -> Result<String, Miss> {
        let read_error = |source| Miss::Read {
            path: path.to_owned(),
            source,
        };
        // Not following links: an entry must be the file itself. The directory is private,
        // so nothing can swap the file between this check and the open below.
        let metadata = match fs::symlink_metadata(path) {
            Ok(metadata) => metadata,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Err(Miss::Absent),
            Err(error) => return Err(read_error(error)),
        };
        if !metadata.is_file() || metadata.uid() != self.uid || metadata.mode() & 0o077 != 0 {
            return Err(Miss::NotPrivate(path.to_owned()));
        }
        let file = File::open(path).map_err(read_error)?;
        let mut text = String::with_capacity(4096);
        file.take(MAX_ENTRY_BYTES)
            .read_to_string(&mut text)
            .map_err(|e| Miss::Corrupt(e.to_string()))?;
        Ok(text)
    }

    /// Store `credentials` for `key`: a 0600 temporary file, then an atomic rename.
    pub fn write(&self, key: &CacheKey, credentials: &ProcessCredentials) -> Result<(), CacheError> {
        let path = self.entry_path(key);
        let temporary = self
            .dir
            .join(format!(".{}.{}.tmp", key.as_str(), std::process::id()));
        let write_error = |source| CacheError::Write {
            path: path.clone(),
            source,
        };
        let _ = fs::remove_file(&temporary);
        let result = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temporary)
            .and_then(|mut file| file.write_all(render_entry(key, credentials).as_bytes()))
            .and_then(|()| fs::rename(&temporary, &path));
        if result.is_err() {
            let _ = fs::remove_file(&temporary);
        }
        result.map_err(write_error)
    }

    /// Take the directory's lock, waiting until `give_up`.
    pub fn lock(&self, give_up: Instant) -> Result<CacheLock, CacheError> {
        let path = self.dir.join(LOCK_FILE);
        let lock_error = |source| CacheError::Lock {
            path: path.clone(),
            source,
        };
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&path)
            .map_err(lock_error)?;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(CacheLock { _held: file }),
                Err(fs::TryLockError::WouldBlock) if Instant::now() < give_up => {
                    std::thread::sleep(LOCK_POLL)
                }
                Err(fs::TryLockError::WouldBlock) => return Err(CacheError::LockTimeout(path)),
                Err(fs::TryLockError::Error(source)) => return Err(lock_error(source)),
            }
        }
    }

    /// Remove entries that have expired (or are unreadable as entries); call while
    /// holding the lock. Returns how many were removed.
    pub fn prune(&self, now: Timestamp, _lock: &CacheLock) -> usize {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return 0;
        };
        let mut removed = 0;
        for path in entries.flatten().map(|entry| entry.path()) {
            if path.extension().is_none_or(|ext| ext != "json") {
                continue;
            }
            let expired = match self.read_private(&path) {
                Ok(text) => serde_json::from_str::<Entry>(&text)
                    .map_or(true, |entry| entry.credentials.expiration <= now),
                Err(Miss::Corrupt(_)) => true,
                Err(_) => false,
            };
            if expired && fs::remove_file(&path).is_ok() {
                removed += 1;
            }
        }
        removed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;
    use crate::test_support::TempDir;
    use proptest::prelude::*;

    const NOW: Timestamp = Timestamp(1_767_323_045);

    fn key() -> CacheKey {
        CacheKey::new(
            "arn:aws:iam::111122223333:role/app",
            &token_digest("a.b.c"),
            "team-a.app",
            3600,
            "e",
        )
    }

    fn credentials(expiration: Timestamp) -> ProcessCredentials {
        ProcessCredentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: Secret::new("secret"),
            session_token: Secret::new("session"),
            expiration,
        }
    }

    #[test]
    fn keys_differ_by_every_parameter() {
        let role = "arn:aws:iam::111122223333:role/app";
        let base = CacheKey::new(role, "t", "s", 3600, "e");
        assert_eq!(base.as_str().len(), 64);
        assert_eq!(base, CacheKey::new(role, "t", "s", 3600, "e"));
        for other in [
            CacheKey::new("arn:aws:iam::111122223333:role/other", "t", "s", 3600, "e"),
            CacheKey::new(role, "u", "s", 3600, "e"),
            CacheKey::new(role, "t", "x", 3600, "e"),
            CacheKey::new(role, "t", "s", 900, "e"),
            CacheKey::new(role, "t", "s", 3600, "f"),
            CacheKey::new(role, "ts", "", 3600, "e"),
        ] {
            assert_ne!(base, other);
        }
        assert!(!token_digest("a.b.c").contains("a.b.c"));
    }

    #[test]
    fn entry_with_twelve_minutes_left_is_not_served() {
        let text = render_entry(&key(), &credentials(NOW.plus(12 * 60)));
        assert!(matches!(parse_entry(&text, &key(), NOW), Err(Miss::Stale(_))));
        let fresh = render_entry(&key(), &credentials(NOW.plus(16 * 60)));
        assert_eq!(
            parse_entry(&fresh, &key(), NOW).expect("served"),
            credentials(NOW.plus(16 * 60))
        );
    }

    #[test]
    fn entry_for_another_key_or_garbage_is_ignored() {
        let other = CacheKey::new("r", "t", "s", 3600, "e");
        let text = render_entry(&other, &credentials(NOW.plus(3600)));
        assert!(matches!(parse_entry(&text, &key(), NOW), Err(Miss::OtherKey)));
        assert!(matches!(
            parse_entry("{\"key\":1", &key(), NOW),
            Err(Miss::Corrupt(_))
        ));
    }

    #[test]
    fn written_entries_are_private_and_read_back() {
        let dir = TempDir::new("cache");
        let cache = Cache::open(&dir.path().join("a/b")).expect("opens");
        let dir_mode = fs::metadata(dir.path().join("a/b")).expect("dir").mode();
        assert_eq!(dir_mode & 0o777, 0o700);
        cache.write(&key(), &credentials(NOW.plus(3600))).expect("writes");
        let file = dir.path().join(format!("a/b/{}.json", key().as_str()));
        assert_eq!(fs::metadata(&file).expect("entry").mode() & 0o777, 0o600);
        assert_eq!(cache.read(&key(), NOW).expect("hit"), credentials(NOW.plus(3600)));
        let leftovers: Vec<_> = fs::read_dir(dir.path().join("a/b"))
            .expect("list")
            .flatten()
            .collect();
        assert!(
            leftovers
                .iter()
                .all(|e| !e.file_name().to_string_lossy().ends_with(".tmp"))
        );
    }

    #[test]
    fn corrupt_or_shared_entry_files_are_ignored() {
        let dir = TempDir::new("corrupt");
        let cache = Cache::open(dir.path()).expect("opens");
        let file = dir.path().join(format!("{}.json", key().as_str()));
        fs::write(&file, "{not json").expect("write");
        fs::set_permissions(&file, fs::Permissions::from_mode(0o600)).expect("chmod");
        assert!(matches!(cache.read(&key(), NOW), Err(Miss::Corrupt(_))));
        fs::write(&file, render_entry(&key(), &credentials(NOW.plus(3600)))).expect("write");
        fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).expect("chmod");
        assert!(matches!(cache.read(&key(), NOW), Err(Miss::NotPrivate(_))));
    }

    #[test]
    fn a_shared_directory_is_made_private() {
        let dir = TempDir::new("shared");
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).expect("chmod");
        Cache::open(dir.path()).expect("opens");
        assert_eq!(fs::metadata(dir.path()).expect("dir").mode() & 0o777, 0o700);
    }

    #[test]
    fn the_lock_excludes_a_second_holder_until_released() {
        let dir = TempDir::new("lock");
        let cache = Cache::open(dir.path()).expect("opens");
        let held = cache.lock(Instant::now()).expect("first lock");
        let second = Cache::open(dir.path())
            .expect("opens")
            .lock(Instant::now() + Duration::from_millis(50));
        assert!(matches!(second, Err(CacheError::LockTimeout(_))), "{second:?}");
        drop(held);
        cache.lock(Instant::now()).expect("lock after release");
    }

    #[test]
    fn prune_removes_expired_and_corrupt_entries_only() {
        let dir = TempDir::new("prune");
        let cache = Cache::open(dir.path()).expect("opens");
        let old = CacheKey::new("r", "old", "s", 3600, "e");
        cache.write(&old, &credentials(NOW.plus(-1))).expect("writes");
        cache.write(&key(), &credentials(NOW.plus(3600))).expect("writes");
        let lock = cache.lock(Instant::now()).expect("lock");
        assert_eq!(cache.prune(NOW, &lock), 1);
        assert!(cache.read(&key(), NOW).is_ok());
        assert!(matches!(cache.read(&old, NOW), Err(Miss::Absent)));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn arbitrary_entry_text_never_panics(text in "\\PC{0,300}") {
            let _ = parse_entry(&text, &key(), NOW);
        }

        #[test]
        fn entry_shaped_json_never_panics(
            version in any::<i64>(), expiration in "\\PC{0,30}", access in any::<String>(), use_key in any::<bool>()
        ) {
            let key_text = if use_key { key().as_str().to_owned() } else { "x".to_owned() };
            let text = serde_json::json!({
                "key": key_text,
                "credentials": {"Version": version, "AccessKeyId": access, "SecretAccessKey": "s",
                                "SessionToken": "t", "Expiration": expiration}
            }).to_string();
            let _ = parse_entry(&text, &key(), NOW);
        }
    }
}
