//! R357, R358 at the node: a validator whose disk fills up stops committing with a logged,
//! counted storage fault (`ebl_storage_faults_total{code="STORAGE_NO_SPACE"}`), never writes a
//! partial block, while the other three go on deciding; when space returns it stores the block
//! it was holding and catches up to the same state root as its peers, without a restart.
//!
//! Validator 3's data folder is on a tmpfs this test mounts (root only: elsewhere the test says
//! why it is skipped).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use ebl_ledger::testkit::TestNetwork;
use ebl_tests::{Cluster, wait_for};

const T: Duration = Duration::from_secs(60);
const MIB: usize = 1024 * 1024;

/// A size-limited tmpfs mounted on a temporary folder, unmounted on drop.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(size: &str) -> Result<Self, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .output()
            .map_err(|e| format!("mount: {e}"))?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        Ok(Tmpfs { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn free(&self) -> u64 {
        let out = Command::new("df")
            .args(["--output=avail", "-B1"])
            .arg(self.path())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        text.lines().nth(1).unwrap().trim().parse().unwrap()
    }

    /// Writes a file that leaves `left` bytes free (tmpfs counts written pages only).
    fn fill_to(&self, left: u64) -> PathBuf {
        let path = self.path().join("filler");
        let mut file = std::fs::File::create(&path).unwrap();
        let chunk = vec![0x5a_u8; MIB];
        let mut to_write = usize::try_from(self.free().saturating_sub(left)).unwrap();
        while to_write > 0 {
            let n = to_write.min(MIB);
            file.write_all(&chunk[..n]).unwrap();
            to_write -= n;
        }
        file.sync_all().unwrap();
        path
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(self.path()).status();
    }
}

/// The value of the metric sample `sample` (name with labels) in validator `i`'s registry.
fn metric(c: &Cluster, i: usize, sample: &str) -> f64 {
    let text = c.handle(i).metrics().encode();
    text.lines()
        .find_map(|l| l.strip_prefix(sample)?.trim().parse().ok())
        .unwrap_or(0.0)
}

const NO_SPACE: &str = r#"ebl_storage_faults_total{code="STORAGE_NO_SPACE"}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_validator_on_a_full_disk_pauses_its_commits_and_resumes_when_space_returns() {
    let tmpfs = match Tmpfs::mount("512m") {
        Ok(t) => t,
        Err(why) => {
            eprintln!("skipped: this test mounts a tmpfs and needs root ({why})");
            return;
        }
    };
    let data = tmpfs.path().join("v3");
    let c = Cluster::start_custom(TestNetwork::pilot(), false, |i, s| {
        if i == 3 {
            s.data_dir = data.clone();
        }
    })
    .await
    .unwrap();
    c.wait_height(3, T).await.unwrap();
    assert_eq!(metric(&c, 3, NO_SPACE), 0.0);

    // Below the store's reserve (256 MiB, R357): the next decided block is refused.
    let filler = tmpfs.fill_to(200 * 1024 * 1024);
    wait_for("validator 3 to count a refused block", T, || async {
        (metric(&c, 3, NO_SPACE) >= 1.0).then_some(())
    })
    .await
    .unwrap();
    let stuck = metric(&c, 3, "ebl_height");
    let others = c.height(0).await.unwrap();
    wait_for("the other validators to go on", T, || async {
        (c.height(0).await.ok()? >= others + 5).then_some(())
    })
    .await
    .unwrap();
    assert_eq!(
        metric(&c, 3, "ebl_height"),
        stuck,
        "no block while the disk is full"
    );

    // Space returns: the held block is stored, and validator 3 catches up without a restart.
    std::fs::remove_file(filler).unwrap();
    let target = c.height(0).await.unwrap() + 2;
    c.wait_height(target, T).await.unwrap();
    let root = c.agreed_root(target, T).await.unwrap();
    assert_eq!(c.state_root_at(3, target).await.unwrap(), Some(root));
    assert!(metric(&c, 3, NO_SPACE) >= 1.0);
    c.shutdown().await.unwrap();
    drop(tmpfs);
}
