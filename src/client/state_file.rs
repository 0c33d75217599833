//! The e9 REST client's state file: read, locked, written once.
//!
//! A registration must happen once per appid: registering again replaces the
//! server's `secrit` and so breaks every other client that kept the old one.
//! So several processes sharing a `state_file` must agree on one
//! registration. The first one takes an exclusive lock on `<state_file>.lock`
//! (a separate file, because the state file itself is replaced by a rename and
//! a lock on a replaced file protects nothing), checks again that no state
//! exists, registers, and writes the file atomically: a temporary file in the
//! same directory with owner-only permissions, flushed to disk, renamed over
//! the final name. Everyone else either finds the file, or waits for the lock
//! and then finds it. The library never rewrites an existing state file.

use crate::error::{Error, ErrorKind, Result};
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Reads the state file; `None` when it does not exist yet.
pub(crate) fn read(path: &Path) -> Result<Option<Zeroizing<String>>> {
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error("cannot read", path, &e)),
    };
    // A state file is a few kilobytes; anything far larger is not one.
    let mut text = Zeroizing::new(String::new());
    (&mut file)
        .take(1 << 20)
        .read_to_string(&mut text)
        .map_err(|e| io_error("cannot read", path, &e))?;
    Ok(Some(text))
}

fn io_error(what: &str, path: &Path, e: &std::io::Error) -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        format!(
            "Weaver REST config key \"state_file\": {what} {}: {e}",
            path.display()
        ),
    )
}

/// `<path>.lock`.
fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// An exclusive lock on `<state_file>.lock`, held until dropped, across
/// processes (and across threads: each lock opens its own file handle).
pub(crate) struct StateLock {
    #[cfg(any(unix, windows))]
    _file: File,
    #[cfg(not(any(unix, windows)))]
    path: PathBuf,
}

impl StateLock {
    /// Blocks until the lock is held. The holder only registers (bounded by
    /// the client's timeout_ms) and writes a small file.
    pub fn acquire(state_file: &Path) -> Result<StateLock> {
        let path = lock_path(state_file);
        #[cfg(any(unix, windows))]
        {
            let file = open_lock_file(&path).map_err(|e| io_error("cannot create", &path, &e))?;
            platform::lock_exclusive(&file).map_err(|e| io_error("cannot lock", &path, &e))?;
            Ok(StateLock { _file: file })
        }
        #[cfg(not(any(unix, windows)))]
        {
            // No advisory locks here: the lock is the existence of the file.
            let started = std::time::Instant::now();
            loop {
                match OpenOptions::new().write(true).create_new(true).open(&path) {
                    Ok(_) => return Ok(StateLock { path }),
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                        if started.elapsed() > std::time::Duration::from_secs(120) {
                            return Err(io_error("gave up waiting for", &path, &e));
                        }
                        std::thread::sleep(std::time::Duration::from_millis(50));
                    }
                    Err(e) => return Err(io_error("cannot create", &path, &e)),
                }
            }
        }
    }
}

#[cfg(not(any(unix, windows)))]
impl Drop for StateLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(any(unix, windows))]
fn open_lock_file(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

#[cfg(unix)]
mod platform {
    use std::fs::File;
    use std::os::unix::io::AsRawFd;

    /// flock(2): released when the file is closed, also when the process dies.
    pub fn lock_exclusive(file: &File) -> std::io::Result<()> {
        loop {
            // SAFETY: a valid open descriptor owned by `file`.
            if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } == 0 {
                return Ok(());
            }
            let e = std::io::Error::last_os_error();
            if e.kind() != std::io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
    }
}

#[cfg(windows)]
mod platform {
    use std::fs::File;
    use std::os::windows::io::AsRawHandle;

    /// OVERLAPPED; only written (the kernel reads it).
    #[repr(C)]
    #[allow(dead_code)]
    struct Overlapped {
        internal: usize,
        internal_high: usize,
        offset: u32,
        offset_high: u32,
        event: *mut core::ffi::c_void,
    }

    const LOCKFILE_EXCLUSIVE_LOCK: u32 = 0x2;

    #[link(name = "kernel32")]
    extern "system" {
        fn LockFileEx(
            file: *mut core::ffi::c_void,
            flags: u32,
            reserved: u32,
            bytes_low: u32,
            bytes_high: u32,
            overlapped: *mut Overlapped,
        ) -> i32;
    }

    /// LockFileEx on the first byte: released when the handle is closed,
    /// also when the process dies.
    pub fn lock_exclusive(file: &File) -> std::io::Result<()> {
        let mut overlapped = Overlapped {
            internal: 0,
            internal_high: 0,
            offset: 0,
            offset_high: 0,
            event: std::ptr::null_mut(),
        };
        // SAFETY: a valid handle owned by `file` (opened synchronously, so the
        // call blocks until granted) and a zeroed OVERLAPPED that outlives it.
        let ok = unsafe {
            LockFileEx(
                file.as_raw_handle().cast(),
                LOCKFILE_EXCLUSIVE_LOCK,
                0,
                1,
                0,
                &mut overlapped,
            )
        };
        if ok != 0 {
            Ok(())
        } else {
            Err(std::io::Error::last_os_error())
        }
    }
}

/// Writes `contents` to `path` atomically with owner-only permissions: a
/// reader sees either no file or the whole file, never a part.
pub(crate) fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "state".to_owned());
    let temp = dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        crate::clock::now_ms()
    ));
    let result = (|| {
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&temp)?;
        file.write_all(contents)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temp, path)?;
        // The rename itself is durable only once the directory is flushed.
        #[cfg(unix)]
        if let Ok(d) = File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    result.map_err(|e: std::io::Error| {
        let _ = std::fs::remove_file(&temp);
        io_error("cannot write", path, &e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    fn temp_dir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "erpauth-state-{tag}-{}-{}",
            std::process::id(),
            crate::clock::now_ms()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn written_atomically_and_owner_only() {
        let dir = temp_dir("write");
        let path = dir.join("state.json");
        assert!(read(&path).unwrap().is_none());
        write_atomic(&path, b"{\"a\":1}").unwrap();
        assert_eq!(read(&path).unwrap().unwrap().as_str(), "{\"a\":1}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
        let err = write_atomic(&dir.join("no/such/dir/state.json"), b"x").unwrap_err();
        assert!(err.message().contains("\"state_file\""), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_lock_excludes_other_holders() {
        let dir = temp_dir("lock");
        let path = Arc::new(dir.join("state.json"));
        let inside = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let (path, inside) = (path.clone(), inside.clone());
                std::thread::spawn(move || {
                    for _ in 0..5 {
                        let _lock = StateLock::acquire(&path).unwrap();
                        assert_eq!(inside.fetch_add(1, Ordering::SeqCst), 0);
                        std::thread::sleep(std::time::Duration::from_millis(2));
                        inside.fetch_sub(1, Ordering::SeqCst);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
