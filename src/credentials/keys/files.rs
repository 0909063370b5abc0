//! The private halves on disk: `<kid>.pem` (PKCS#8 PEM) in the key folder. The folder is made
//! 0700 and each file 0600; a file is written to a temporary name and renamed into place, so a
//! reader never sees half a key.

use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The file of key `kid`. The kid is checked first (it names a file).
pub fn path(dir: &Path, kid: &str) -> io::Result<PathBuf> {
    if !super::is_kid(kid) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{kid:?} is not a key ID"),
        ));
    }
    Ok(dir.join(format!("{kid}.pem")))
}

/// Writes the private key `pem` of `kid`, creating the folder (0700) when needed.
pub fn write_private(dir: &Path, kid: &str, pem: &str) -> io::Result<PathBuf> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
    let target = path(dir, kid)?;
    let mut suffix = [0u8; 6];
    rand::fill(&mut suffix);
    let suffix: String = suffix.iter().map(|b| format!("{b:02x}")).collect();
    let temp = dir.join(format!(".{kid}.pem.{suffix}.tmp"));
    let written = (|| {
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temp)?;
        f.write_all(pem.as_bytes())?;
        f.sync_all()?;
        fs::rename(&temp, &target)?;
        fs::File::open(dir)?.sync_all()
    })();
    if written.is_err() {
        let _ = fs::remove_file(&temp);
    }
    written.map(|()| target)
}

/// The private key of `kid`, or `None` when this machine does not hold it.
pub fn read_private(dir: &Path, kid: &str) -> io::Result<Option<String>> {
    match fs::read_to_string(path(dir, kid)?) {
        Ok(pem) => Ok(Some(pem)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Whether the private file of `kid` is in the folder.
pub fn has_private(dir: &Path, kid: &str) -> bool {
    path(dir, kid).is_ok_and(|p| p.is_file())
}

/// Removes the private file of `kid` (a key whose row could not be added).
pub fn remove_private(dir: &Path, kid: &str) -> io::Result<()> {
    fs::remove_file(path(dir, kid)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir() -> PathBuf {
        std::env::temp_dir()
            .join(format!("benchside-keys-{}", uuid::Uuid::new_v4().simple()))
            .join("nested")
    }

    #[test]
    fn files_are_private_and_read_back() {
        let dir = temp_dir();
        let p = write_private(&dir, "k-20261201-abcdef", "PEM TEXT").unwrap();
        assert_eq!(p, dir.join("k-20261201-abcdef.pem"));
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&p), 0o600);
        assert_eq!(
            read_private(&dir, "k-20261201-abcdef").unwrap().as_deref(),
            Some("PEM TEXT")
        );
        assert!(has_private(&dir, "k-20261201-abcdef"));
        assert_eq!(read_private(&dir, "k-20261201-000000").unwrap(), None);
        // No temporary file is left behind.
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
        fs::remove_dir_all(dir.parent().unwrap()).unwrap();
    }

    #[test]
    fn a_kid_that_is_not_a_file_name_is_refused() {
        let dir = temp_dir();
        for bad in ["../../etc/passwd", "short", "K-UPPER-CASE", "a/b-cdefghij"] {
            assert!(path(&dir, bad).is_err(), "{bad}");
            assert!(!has_private(&dir, bad));
        }
    }
}
