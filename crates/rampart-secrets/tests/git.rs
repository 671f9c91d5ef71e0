//! `git` module against real repositories built with the `git` command line.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use rampart_secrets::{GitError, History, RevSelection, StagedBlob, staged_blobs};

const SECRET: &str = "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY\n";

/// A directory removed on drop; the crate has no `tempfile` dev-dependency.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("rampart-git-test-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct Repo {
    _tmp: TempDir,
    dir: PathBuf,
    clock: i64,
}

impl Repo {
    fn new() -> Repo {
        let tmp = TempDir::new();
        let dir = tmp.0.join("repo");
        std::fs::create_dir_all(&dir).unwrap();
        let repo = Repo {
            _tmp: tmp,
            dir,
            clock: 1_700_000_000,
        };
        repo.git(&["-c", "init.defaultBranch=main", "init", "-q"]);
        repo
    }

    /// Runs git in the work tree with a fixed identity and no user or
    /// system configuration; the variables a hook would inherit are removed.
    fn git(&self, args: &[&str]) -> String {
        self.git_in(&self.dir, args, None)
    }

    fn git_in(&self, dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> String {
        let mut command = Command::new("git");
        command
            .current_dir(dir)
            .args(["-c", "commit.gpgsign=false", "-c", "core.autocrlf=false"])
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "Alice Example")
            .env("GIT_AUTHOR_EMAIL", "alice@example.com")
            .env("GIT_COMMITTER_NAME", "Alice Example")
            .env("GIT_COMMITTER_EMAIL", "alice@example.com")
            .env("GIT_AUTHOR_DATE", format!("@{} +0000", self.clock))
            .env("GIT_COMMITTER_DATE", format!("@{} +0000", self.clock))
            .env_remove("GIT_DIR")
            .env_remove("GIT_INDEX_FILE")
            .env_remove("GIT_WORK_TREE")
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("git runs");
        if let Some(input) = stdin {
            child.stdin.take().unwrap().write_all(input).unwrap();
        }
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }

    fn write(&self, path: &str, content: &str) {
        let path = self.dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }

    /// Commits everything in the work tree, one hour after the previous
    /// commit, and returns the commit id.
    fn commit_all(&mut self, message: &str) -> String {
        self.clock += 3600;
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.git(&["rev-parse", "HEAD"])
    }

    fn blob_id(&self, content: &str) -> String {
        self.git_in(
            &self.dir,
            &["hash-object", "--stdin"],
            Some(content.as_bytes()),
        )
    }

    fn walk(&self, selection: &RevSelection) -> History {
        History::walk(&self.dir, selection).unwrap()
    }
}

/// The error and its sources on one line, as a command-line tool shows them.
fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn ids(history: &History) -> Vec<&str> {
    history.blobs().iter().map(|b| b.id.as_str()).collect()
}

fn paths(history: &History) -> Vec<&str> {
    history
        .blobs()
        .iter()
        .map(|b| b.origin.path.as_str())
        .collect()
}

#[test]
fn a_deleted_secret_is_found_with_the_commit_that_added_it() {
    let mut repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("first");
    repo.write("config/prod/secrets.env", SECRET);
    repo.write("README.md", "hello again\n");
    let added = repo.commit_all("add config");
    let added_at = repo.clock;
    std::fs::remove_file(repo.dir.join("config/prod/secrets.env")).unwrap();
    repo.commit_all("remove it");

    let history = repo.walk(&RevSelection::All);
    assert_eq!(history.commits(), 3);
    let secret_id = repo.blob_id(SECRET);
    let blob = history
        .blobs()
        .iter()
        .find(|b| b.id == secret_id)
        .expect("the deleted blob is still in history");
    assert_eq!(blob.origin.commit, added);
    assert_eq!(blob.origin.author, "Alice Example <alice@example.com>");
    assert_eq!(
        blob.origin.time,
        jiff::Timestamp::from_second(added_at).unwrap()
    );
    assert_eq!(blob.origin.path, "config/prod/secrets.env");
    assert_eq!(blob.size, SECRET.len() as u64);
    assert_eq!(history.reader().read(&blob.id).unwrap(), SECRET.as_bytes());
    // Two README versions plus the secret.
    assert_eq!(history.blobs().len(), 3);
}

#[test]
fn the_same_content_is_reported_once_at_its_first_path() {
    let mut repo = Repo::new();
    repo.write("a.txt", SECRET);
    repo.write("dir/b.txt", SECRET);
    let first = repo.commit_all("two copies");
    for i in 0..20 {
        repo.write("counter.txt", &format!("{i}\n"));
        if i == 10 {
            repo.write("elsewhere/c.txt", SECRET);
        }
        repo.commit_all(&format!("commit {i}"));
    }
    // The same content on a branch merged back adds nothing either.
    repo.git(&["checkout", "-q", "-b", "side", "HEAD~5"]);
    repo.write("side/copy.txt", SECRET);
    repo.commit_all("side copy");
    repo.git(&["checkout", "-q", "main"]);
    repo.clock += 3600;
    repo.git(&["merge", "-q", "--no-ff", "-m", "merge side", "side"]);

    let history = repo.walk(&RevSelection::All);
    assert_eq!(history.commits(), 23);
    let secret_id = repo.blob_id(SECRET);
    let copies: Vec<_> = history
        .blobs()
        .iter()
        .filter(|b| b.id == secret_id)
        .collect();
    assert_eq!(copies.len(), 1);
    assert_eq!(copies[0].origin.commit, first);
    assert_eq!(copies[0].origin.path, "a.txt");
    let unique: HashSet<&str> = ids(&history).into_iter().collect();
    assert_eq!(unique.len(), history.blobs().len(), "no blob twice");
    // The secret and twenty counter values.
    assert_eq!(history.blobs().len(), 21);
}

#[test]
fn fifty_versions_of_a_file_are_fifty_blobs_oldest_first() {
    let mut repo = Repo::new();
    let mut commits = Vec::new();
    for i in 0..50 {
        repo.write("src/settings.py", &format!("VERSION = {i}\n"));
        commits.push(repo.commit_all(&format!("v{i}")));
    }
    let history = repo.walk(&RevSelection::All);
    assert_eq!(history.commits(), 50);
    assert_eq!(history.blobs().len(), 50);
    let reader = history.reader();
    for (i, blob) in history.blobs().iter().enumerate() {
        assert_eq!(blob.origin.path, "src/settings.py");
        assert_eq!(blob.origin.commit, commits[i]);
        assert_eq!(
            reader.read(&blob.id).unwrap(),
            format!("VERSION = {i}\n").as_bytes()
        );
    }
}

#[test]
fn history_from_a_packed_repository_reads_the_same() {
    let mut repo = Repo::new();
    for i in 0..30 {
        repo.write("big.txt", &format!("{}line {i}\n", "padding\n".repeat(200)));
        repo.write(&format!("docs/{i}.md"), &format!("doc {i}\n"));
        repo.commit_all(&format!("v{i}"));
    }
    let loose = repo.walk(&RevSelection::All);
    repo.git(&["gc", "-q", "--aggressive"]);
    let packed = repo.walk(&RevSelection::All);
    assert_eq!(loose.blobs(), packed.blobs());
    assert_eq!(packed.blobs().len(), 60);
    let reader = packed.reader();
    for blob in packed.blobs() {
        assert_eq!(reader.read(&blob.id).unwrap().len() as u64, blob.size);
    }
}

#[test]
fn since_and_range_return_only_content_introduced_in_the_range() {
    let mut repo = Repo::new();
    repo.write("keep.txt", "unchanged\n");
    repo.write("f.txt", "1\n");
    let c1 = repo.commit_all("c1");
    repo.write("f.txt", "2\n");
    let c2 = repo.commit_all("c2");
    repo.git(&["tag", "v2"]);
    repo.write("f.txt", "3\n");
    repo.write("new.txt", "new in c3\n");
    let c3 = repo.commit_all("c3");
    // Back to content from before the range: not new.
    repo.write("f.txt", "1\n");
    let c4 = repo.commit_all("c4");

    // "1\n" is only in c1, behind the edge of `v2..HEAD` (c2's tree): c4
    // reintroduces it, so it is reported there.
    let since = repo.walk(&RevSelection::Since("v2".into()));
    assert_eq!(since.commits(), 2);
    assert_eq!(
        ids(&since),
        [
            repo.blob_id("3\n"),
            repo.blob_id("new in c3\n"),
            repo.blob_id("1\n")
        ]
    );
    let origins: Vec<&str> = since
        .blobs()
        .iter()
        .map(|b| b.origin.commit.as_str())
        .collect();
    assert_eq!(origins, [&c3, &c3, &c4]);
    // With c1 as the edge, "1\n" and "unchanged\n" are known.
    let since_c1 = repo.walk(&RevSelection::Since(c1.clone()));
    assert_eq!(since_c1.commits(), 3);
    assert_eq!(paths(&since_c1), ["f.txt", "f.txt", "new.txt"]);
    assert!(!ids(&since_c1).contains(&repo.blob_id("1\n").as_str()));

    let range = repo.walk(&RevSelection::Range(c1.clone(), c3.clone()));
    assert_eq!(range.commits(), 2);
    assert_eq!(
        ids(&range),
        [
            repo.blob_id("2\n"),
            repo.blob_id("3\n"),
            repo.blob_id("new in c3\n")
        ]
    );
    assert_eq!(range.blobs()[0].origin.commit, c2);

    let empty = repo.walk(&RevSelection::Range(c4.clone(), c4.clone()));
    assert_eq!(empty.commits(), 0);
    assert!(empty.blobs().is_empty());
}

#[test]
fn unknown_revisions_are_errors_that_name_them() {
    let mut repo = Repo::new();
    repo.write("a.txt", "a\n");
    repo.commit_all("c1");
    for selection in [
        RevSelection::Since("no-such-branch".into()),
        RevSelection::Range("no-such-branch".into(), "HEAD".into()),
        RevSelection::Range("HEAD".into(), "no-such-branch".into()),
    ] {
        let err = History::walk(&repo.dir, &selection).unwrap_err();
        assert!(
            matches!(&err, GitError::UnknownRevision { rev, .. } if rev == "no-such-branch"),
            "{err:?}"
        );
        assert!(err.to_string().contains("`no-such-branch`"), "{err}");
        println!("unknown revision: {}", chain(&err));
    }
    // A blob is a revision but not a commit.
    let blob = repo.blob_id("a\n");
    let err = History::walk(&repo.dir, &RevSelection::Since(blob.clone())).unwrap_err();
    assert!(
        matches!(&err, GitError::NotACommit { rev, .. } if *rev == blob),
        "{err:?}"
    );
}

#[test]
fn a_directory_outside_any_repository_is_an_error() {
    let tmp = TempDir::new();
    let err = History::walk(&tmp.0, &RevSelection::All).unwrap_err();
    assert!(matches!(err, GitError::NotARepository { .. }), "{err:?}");
    println!("not a repository: {}", chain(&err));
    assert!(err.to_string().contains(&tmp.0.display().to_string()));
    let err = staged_blobs(&tmp.0).unwrap_err();
    assert!(matches!(err, GitError::NotARepository { .. }), "{err:?}");
}

#[test]
fn a_repository_without_commits_has_an_empty_history() {
    let repo = Repo::new();
    let history = repo.walk(&RevSelection::All);
    assert_eq!(history.commits(), 0);
    assert!(history.blobs().is_empty());
}

#[test]
fn discovery_works_from_a_subdirectory_and_paths_are_relative_to_the_root() {
    let mut repo = Repo::new();
    repo.write("deep/er/file.txt", "x\n");
    repo.commit_all("c1");
    let history = History::walk(&repo.dir.join("deep/er"), &RevSelection::All).unwrap();
    assert_eq!(paths(&history), ["deep/er/file.txt"]);
}

#[test]
fn symlinks_and_submodules_are_skipped() {
    let repo = Repo::new();
    repo.write("real.txt", "real\n");
    std::os::unix::fs::symlink("real.txt", repo.dir.join("link")).unwrap();
    repo.write("run.sh", "#!/bin/sh\n");
    std::fs::set_permissions(
        repo.dir.join("run.sh"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    repo.git(&["add", "-A"]);
    // A gitlink to a commit that this repository does not have.
    repo.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        "160000,1111111111111111111111111111111111111111,vendor/lib",
    ]);
    repo.git(&["commit", "-q", "-m", "c1"]);
    assert!(
        repo.git(&["ls-tree", "-r", "HEAD"])
            .contains("160000 commit")
    );
    let history = repo.walk(&RevSelection::All);
    let mut found = paths(&history);
    found.sort();
    assert_eq!(found, ["real.txt", "run.sh"]);
    let staged_repo = {
        let repo = Repo::new();
        repo.write("real.txt", "real\n");
        std::os::unix::fs::symlink("real.txt", repo.dir.join("link")).unwrap();
        repo.git(&["add", "-A"]);
        repo
    };
    let staged = staged_blobs(&staged_repo.dir).unwrap();
    assert_eq!(staged_paths(&staged), ["real.txt"]);
}

#[test]
fn bare_clones_linked_worktrees_and_shallow_clones_work() {
    let mut repo = Repo::new();
    for i in 0..5 {
        repo.write("f.txt", &format!("{i}\n"));
        repo.commit_all(&format!("c{i}"));
    }
    let full = repo.walk(&RevSelection::All);

    let bare = repo._tmp.0.join("bare.git");
    repo.git(&["clone", "-q", "--bare", ".", bare.to_str().unwrap()]);
    let from_bare = History::walk(&bare, &RevSelection::All).unwrap();
    assert_eq!(from_bare.blobs(), full.blobs());

    let worktree = repo._tmp.0.join("wt");
    repo.git(&[
        "worktree",
        "add",
        "-q",
        worktree.to_str().unwrap(),
        "HEAD~2",
    ]);
    let from_worktree = History::walk(&worktree, &RevSelection::All).unwrap();
    assert_eq!(from_worktree.commits(), 3);
    assert_eq!(from_worktree.blobs(), &full.blobs()[..3]);

    let shallow = repo._tmp.0.join("shallow");
    let url = format!("file://{}", repo.dir.display());
    repo.git(&[
        "clone",
        "-q",
        "--depth",
        "2",
        &url,
        shallow.to_str().unwrap(),
    ]);
    let from_shallow = History::walk(&shallow, &RevSelection::All).unwrap();
    assert_eq!(from_shallow.commits(), 2);
    // The oldest commit present is the origin of what its tree holds.
    assert_eq!(from_shallow.blobs(), &full.blobs()[3..]);
}

#[test]
fn missing_and_corrupt_objects_are_errors() {
    let mut repo = Repo::new();
    repo.write("dir/a.txt", "a\n");
    repo.commit_all("c1");
    let tree = repo.git(&["rev-parse", "HEAD:dir"]);
    let object = repo
        .dir
        .join(".git/objects")
        .join(&tree[..2])
        .join(&tree[2..]);

    let contents = std::fs::read(&object).unwrap();
    std::fs::remove_file(&object).unwrap();
    let err = History::walk(&repo.dir, &RevSelection::All).unwrap_err();
    assert!(
        matches!(&err, GitError::Object { id, kind: "tree", .. } if *id == tree),
        "{err:?}"
    );
    assert!(err.to_string().contains(&tree), "{err}");

    let mut garbage = contents.clone();
    garbage.truncate(garbage.len() / 2);
    std::fs::write(&object, garbage).unwrap();
    let err = History::walk(&repo.dir, &RevSelection::All).unwrap_err();
    assert!(matches!(&err, GitError::Object { .. }), "{err:?}");
    println!("corrupt tree: {}", chain(&err));
    // Loose objects are read-only; the directory is not.
    std::fs::remove_file(&object).unwrap();
    std::fs::write(&object, contents).unwrap();

    let history = History::walk(&repo.dir, &RevSelection::Since("HEAD".into())).unwrap();
    let reader = history.reader();
    assert!(matches!(
        reader.read("not-hex"),
        Err(GitError::InvalidId { .. })
    ));
    assert!(matches!(
        reader.read("2222222222222222222222222222222222222222"),
        Err(GitError::Object { kind: "blob", .. })
    ));
}

#[test]
fn history_is_shared_across_threads_with_a_reader_each() {
    fn send_sync<T: Send + Sync>(_: &T) {}
    let mut repo = Repo::new();
    for i in 0..40 {
        repo.write(&format!("f{}.txt", i % 7), &format!("{i}\n"));
        repo.commit_all(&format!("c{i}"));
    }
    let history = repo.walk(&RevSelection::All);
    send_sync(&history);
    let total: usize = std::thread::scope(|scope| {
        let handles: Vec<_> = history
            .blobs()
            .chunks(10)
            .map(|chunk| {
                let history = &history;
                scope.spawn(move || {
                    let reader = history.reader();
                    chunk
                        .iter()
                        .map(|b| reader.read(&b.id).unwrap().len())
                        .sum::<usize>()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    let expected: u64 = history.blobs().iter().map(|b| b.size).sum();
    assert_eq!(total as u64, expected);
}

fn staged_paths(staged: &[StagedBlob]) -> Vec<&str> {
    staged.iter().map(|s| s.path.as_str()).collect()
}

#[test]
fn staged_returns_new_and_modified_files_only() {
    let mut repo = Repo::new();
    repo.write("modified.txt", "old\n");
    repo.write("unchanged.txt", "same\n");
    repo.write("deleted.txt", "bye\n");
    repo.write("dir/sub/unchanged.txt", "deep\n");
    repo.write("dir/other.txt", "other\n");
    repo.write("untouched/x.txt", "x\n");
    repo.commit_all("c1");
    assert!(staged_blobs(&repo.dir).unwrap().is_empty());

    repo.write("modified.txt", SECRET);
    repo.write("dir/sub/new.txt", "new\n");
    repo.git(&["add", "modified.txt", "dir/sub/new.txt"]);
    repo.git(&["rm", "-q", "deleted.txt"]);
    // Changed in the work tree but not staged: not what the commit adds.
    repo.write("unchanged.txt", "edited, not staged\n");
    // Staged, then edited again: the staged content counts.
    repo.write("dir/other.txt", "staged\n");
    repo.git(&["add", "dir/other.txt"]);
    repo.write("dir/other.txt", "edited after staging\n");
    // A mode-only change adds no new content.
    repo.git(&["update-index", "--chmod=+x", "untouched/x.txt"]);

    let staged = staged_blobs(&repo.dir).unwrap();
    assert_eq!(
        staged_paths(&staged),
        ["dir/other.txt", "dir/sub/new.txt", "modified.txt"]
    );
    assert_eq!(staged[0].data, b"staged\n");
    assert_eq!(staged[1].id, repo.blob_id("new\n"));
    assert_eq!(staged[2].data, SECRET.as_bytes());

    // Without the index's cached trees, the answer is the same.
    repo.git(&["read-tree", "--empty"]);
    repo.git(&["add", "-A"]);
    repo.git(&["reset", "-q", "unchanged.txt", "dir/other.txt"]);
    repo.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("100644,{},dir/other.txt", repo.blob_id("staged\n")),
    ]);
    let again = staged_blobs(&repo.dir).unwrap();
    assert_eq!(
        staged_paths(&again),
        ["dir/other.txt", "dir/sub/new.txt", "modified.txt"]
    );
}

#[test]
fn staged_in_a_repository_without_commits_is_everything() {
    let repo = Repo::new();
    assert!(staged_blobs(&repo.dir).unwrap().is_empty());
    repo.write("b.txt", "b\n");
    repo.write("a/deep.txt", SECRET);
    repo.git(&["add", "-A"]);
    // `git add -N` records a path without content.
    repo.write("later.txt", "later\n");
    repo.git(&["add", "-N", "later.txt"]);
    let staged = staged_blobs(&repo.dir).unwrap();
    assert_eq!(staged_paths(&staged), ["a/deep.txt", "b.txt"]);
    assert_eq!(staged[0].data, SECRET.as_bytes());
}

#[test]
fn staged_is_cheap_in_a_large_tree() {
    let repo = Repo::new();
    let mut input = Vec::new();
    fast_import_tree(&mut input, 5_000);
    repo.git_in(&repo.dir, &["fast-import", "--quiet"], Some(&input));
    repo.git(&["reset", "-q", "--hard"]);
    repo.write("d7/new.txt", SECRET);
    repo.git(&["add", "d7/new.txt"]);

    let start = Instant::now();
    let staged = staged_blobs(&repo.dir).unwrap();
    let with_cache = start.elapsed();
    assert_eq!(staged_paths(&staged), ["d7/new.txt"]);

    // The same index rebuilt without the cached-tree extension, which
    // `update-index` does not write: the whole HEAD tree is compared.
    let listing = repo.git(&["ls-files", "-s"]) + "\n";
    std::fs::remove_file(repo.dir.join(".git/index")).unwrap();
    repo.git_in(
        &repo.dir,
        &["update-index", "--index-info"],
        Some(listing.as_bytes()),
    );
    let start = Instant::now();
    let staged = staged_blobs(&repo.dir).unwrap();
    let without_cache = start.elapsed();
    assert_eq!(staged_paths(&staged), ["d7/new.txt"]);
    println!(
        "staged_blobs: 5,000 tracked files, 1 staged: {:.1} ms with the index's cached trees, \
         {:.1} ms without",
        with_cache.as_secs_f64() * 1e3,
        without_cache.as_secs_f64() * 1e3
    );
}

/// One commit of `files` files spread over 50 directories.
fn fast_import_tree(out: &mut Vec<u8>, files: usize) {
    writeln!(out, "commit refs/heads/main").unwrap();
    writeln!(out, "author A <a@example.com> 1700000000 +0000").unwrap();
    writeln!(out, "committer A <a@example.com> 1700000000 +0000").unwrap();
    writeln!(out, "data 4\ntree").unwrap();
    for i in 0..files {
        let content = format!("file {i}\n");
        writeln!(out, "M 100644 inline d{}/f{i}.txt", i % 50).unwrap();
        writeln!(out, "data {}\n{content}", content.len()).unwrap();
    }
}

/// Not a benchmark with assertions: prints how fast a generated history of
/// 2,000 commits is walked and read (run with `--nocapture`).
#[test]
fn timing_of_a_generated_two_thousand_commit_history() {
    let repo = Repo::new();
    let commits = 2_000;
    let mut input = Vec::new();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for c in 0..commits {
        writeln!(input, "commit refs/heads/main").unwrap();
        writeln!(input, "mark :{}", c + 1).unwrap();
        let time = 1_600_000_000 + c * 60;
        writeln!(input, "author Dev{} <dev@example.com> {time} +0000", c % 5).unwrap();
        writeln!(input, "committer Dev <dev@example.com> {time} +0000").unwrap();
        let message = format!("commit {c}");
        writeln!(input, "data {}\n{message}", message.len()).unwrap();
        if c > 0 {
            writeln!(input, "from :{c}").unwrap();
        }
        // Each commit changes three of 500 files in 25 directories.
        for _ in 0..3 {
            let file = next() % 500;
            let content = format!(
                "{}\nvalue = {}\n",
                "# some configuration text\n".repeat(20),
                next()
            );
            writeln!(input, "M 100644 inline dir{}/file{file}.conf", file % 25).unwrap();
            writeln!(input, "data {}\n{content}", content.len()).unwrap();
        }
    }
    let start = Instant::now();
    repo.git_in(&repo.dir, &["fast-import", "--quiet"], Some(&input));
    let import = start.elapsed();

    let start = Instant::now();
    let history = repo.walk(&RevSelection::All);
    let walk = start.elapsed();
    assert_eq!(history.commits(), commits as usize);

    let start = Instant::now();
    let reader = history.reader();
    let bytes: usize = history
        .blobs()
        .iter()
        .map(|b| reader.read(&b.id).unwrap().len())
        .sum();
    let read = start.elapsed();

    repo.git(&["gc", "-q"]);
    let start = Instant::now();
    let packed = repo.walk(&RevSelection::All);
    let packed_walk = start.elapsed();
    let start = Instant::now();
    let reader = packed.reader();
    for blob in packed.blobs() {
        reader.read(&blob.id).unwrap();
    }
    let packed_read = start.elapsed();
    assert_eq!(history.blobs(), packed.blobs());

    let blobs = history.blobs().len() as f64;
    println!(
        "history timing: {commits} commits, {} distinct blobs, {:.1} MB; fast-import {:.0} ms",
        history.blobs().len(),
        bytes as f64 / 1e6,
        import.as_secs_f64() * 1e3
    );
    println!(
        "  fast-import pack: walk {:.0} ms ({:.0} blobs/s), read all {:.0} ms ({:.0} blobs/s)",
        walk.as_secs_f64() * 1e3,
        blobs / walk.as_secs_f64(),
        read.as_secs_f64() * 1e3,
        blobs / read.as_secs_f64()
    );
    println!(
        "  after git gc:     walk {:.0} ms ({:.0} blobs/s), read all {:.0} ms ({:.0} blobs/s)",
        packed_walk.as_secs_f64() * 1e3,
        blobs / packed_walk.as_secs_f64(),
        packed_read.as_secs_f64() * 1e3,
        blobs / packed_read.as_secs_f64()
    );
}

/// Inside a pre-commit hook of `git commit -a` or `git commit FILE`, git
/// stages into a temporary index named by `GIT_INDEX_FILE`. The variable is
/// process-wide, so the check runs in a child copy of this test binary.
#[test]
fn staged_reads_the_index_named_by_git_index_file() {
    const CHILD: &str = "RAMPART_TEST_STAGED_CHILD_DIR";
    if let Some(dir) = std::env::var_os(CHILD) {
        let staged = staged_blobs(Path::new(&dir)).unwrap();
        println!("STAGED: {}", staged_paths(&staged).join(","));
        return;
    }
    let mut repo = Repo::new();
    repo.write("a.txt", "a\n");
    repo.write("b.txt", "b\n");
    repo.commit_all("c1");
    repo.write("a.txt", SECRET);
    let temporary_index = repo._tmp.0.join("next-index");
    let with_index = |args: &[&str]| {
        let status = Command::new("git")
            .current_dir(&repo.dir)
            .args(args)
            .env("GIT_INDEX_FILE", &temporary_index)
            .env_remove("GIT_DIR")
            .status()
            .unwrap();
        assert!(status.success());
    };
    with_index(&["read-tree", "HEAD"]);
    with_index(&["add", "a.txt"]);

    let child = |index: Option<&Path>| {
        let mut command = Command::new(std::env::current_exe().unwrap());
        command
            .args([
                "--exact",
                "staged_reads_the_index_named_by_git_index_file",
                "--nocapture",
            ])
            .env(CHILD, &repo.dir)
            .env_remove("GIT_DIR")
            .env_remove("GIT_INDEX_FILE");
        if let Some(index) = index {
            command.env("GIT_INDEX_FILE", index);
        }
        let out = command.output().unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .find_map(|line| line.strip_prefix("STAGED: ").map(str::to_owned))
            .expect("the child reports")
    };
    assert_eq!(child(Some(&temporary_index)), "a.txt");
    assert_eq!(child(None), "");
}
