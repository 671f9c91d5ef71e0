//! Reading a git repository's object database for secret scanning.
//!
//! Two views, both read straight from the object database with `gix` (no
//! `git` process, no diffs):
//!
//! - [`staged_blobs`]: what `git commit` would add, for a pre-commit hook.
//! - [`History::walk`]: every distinct blob of the selected commits, each
//!   once, with the commit, author, date and path where it first appeared.
//!
//! Scanning blobs rather than `git log -p` hunks matters: a diff shows only
//! the changed lines, so a secret in a file that later commits touch
//! elsewhere is missed by tools that only read patches. Scanning each blob
//! once also makes the cost proportional to the distinct content of the
//! history, not to commits × files.
//!
//! # What "first appeared" means
//!
//! Commits are visited parents before children (a topological order, older
//! commit time first among commits that do not depend on each other), and
//! the first commit whose tree contains a blob is its origin. Trees are
//! deduplicated too: a subtree whose id was already seen is skipped whole,
//! since everything below it has been recorded. The price is that a blob is
//! reported once, at the path where it was first seen; copies of the same
//! content at other paths or in later commits are not separate findings
//! (fixing the secret means rotating it, wherever it is).
//!
//! Paths are `/`-separated and relative to the repository root; bytes that
//! are not UTF-8 are replaced (lossy), as the path is only for display.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use gix::ObjectId;
use gix::bstr::{BStr, BString, ByteSlice, ByteVec};
use gix::objs::tree::EntryKind;

type Source = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Memory for the pack delta-base cache of each repository handle. Without
/// it, reading the versions of a file stored as a delta chain decodes the
/// chain again for every version.
const PACK_CACHE_BYTES: usize = 64 * 1024 * 1024;

/// A failure to read a repository. Messages name the repository and the
/// revision or object that failed; the underlying `gix` error is the source.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("{}: no git repository found here or in a parent directory", path.display())]
    NotARepository {
        path: PathBuf,
        #[source]
        source: Source,
    },
    #[error("{}: cannot open the git repository", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: Source,
    },
    #[error("{}: unknown revision `{rev}`", repo.display())]
    UnknownRevision {
        repo: PathBuf,
        rev: String,
        #[source]
        source: Source,
    },
    #[error("{}: revision `{rev}` does not name a commit", repo.display())]
    NotACommit {
        repo: PathBuf,
        rev: String,
        #[source]
        source: Source,
    },
    #[error("{}: cannot resolve HEAD", repo.display())]
    Head {
        repo: PathBuf,
        #[source]
        source: Source,
    },
    #[error("{}: cannot walk the commit history", repo.display())]
    Walk {
        repo: PathBuf,
        #[source]
        source: Source,
    },
    #[error("{}: cannot read the index", repo.display())]
    Index {
        repo: PathBuf,
        #[source]
        source: Source,
    },
    #[error("{}: missing or corrupt {kind} {id}", repo.display())]
    Object {
        repo: PathBuf,
        kind: &'static str,
        id: String,
        #[source]
        source: Source,
    },
    #[error("`{id}` is not a full hexadecimal object id")]
    InvalidId { id: String },
}

/// Which commits [`History::walk`] visits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevSelection {
    /// Every commit reachable from `HEAD` (none if `HEAD` is unborn).
    All,
    /// `REV..HEAD`: commits reachable from `HEAD` but not from `REV`.
    Since(String),
    /// `A..B`: commits reachable from `B` but not from `A`.
    Range(String, String),
}

/// Where a blob first appeared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobOrigin {
    /// Full hexadecimal commit id.
    pub commit: String,
    /// `Name <email>` of the commit's author.
    pub author: String,
    /// Author time. A date git could not parse reads as the Unix epoch
    /// rather than failing the scan.
    pub time: jiff::Timestamp,
    /// `/`-separated, relative to the repository root.
    pub path: String,
}

/// One distinct blob of the walked history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryBlob {
    /// Full hexadecimal blob id, for [`BlobReader::read`].
    pub id: String,
    /// Size in bytes, known without reading the content, so callers can
    /// skip huge blobs cheaply.
    pub size: u64,
    pub origin: BlobOrigin,
}

/// The distinct blobs of a range of history. `History` is `Send + Sync`:
/// share it across threads and give each thread its own [`BlobReader`].
pub struct History {
    repo: gix::ThreadSafeRepository,
    blobs: Vec<HistoryBlob>,
    commits: usize,
}

impl std::fmt::Debug for History {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("History")
            .field("repo", &self.repo.path())
            .field("blobs", &self.blobs.len())
            .field("commits", &self.commits)
            .finish()
    }
}

impl History {
    /// Opens the repository containing `path` (searching parent directories;
    /// bare repositories and linked worktrees work) and walks the selected
    /// commits, collecting every distinct blob once with its first origin.
    ///
    /// For [`RevSelection::Since`] and [`RevSelection::Range`], everything in
    /// the trees of the commits at the range's lower edge (the excluded
    /// revision and any parent of a walked commit outside the range) counts as
    /// already seen, so only content introduced inside the range is returned.
    /// Like `git rev-list --objects A..B`, this looks at the edge's trees, not
    /// at all of the excluded history: content deleted before the range and
    /// added again inside it is reported again, as it was reintroduced.
    ///
    /// In a shallow clone the walk stops at the shallow boundary without
    /// error; the oldest commit present is then the origin of everything in
    /// its tree. Submodule entries and symbolic links are skipped.
    pub fn walk(path: &Path, selection: &RevSelection) -> Result<History, GitError> {
        let shared = discover(path, false)?;
        let mut repo = shared.to_thread_local();
        enable_pack_cache(&mut repo);
        let name = repo_name(&repo);

        let (tips, hidden) = resolve_selection(&repo, &name, selection)?;
        let commits = if tips.is_empty() {
            Vec::new()
        } else {
            collect_commits(&repo, &name, tips, &hidden)?
        };

        let mut walker = TreeWalker::new(&repo, name.clone());
        let in_range: HashSet<ObjectId> = commits.iter().map(|c| c.id).collect();
        let mut edge: Vec<ObjectId> = hidden;
        edge.extend(
            commits
                .iter()
                .flat_map(|c| c.parents.iter().copied())
                .filter(|p| !in_range.contains(p)),
        );
        edge.sort_unstable();
        edge.dedup();
        for id in edge {
            // An edge commit may legitimately be absent: it is the parent of
            // a shallow clone's oldest commit.
            if let Some(tree) = walker.optional_commit_tree(id)? {
                walker.visit(tree, None)?;
            }
        }

        for index in topological_oldest_first(&commits) {
            let commit = &commits[index];
            let (tree, origin) = walker.commit_origin(commit.id)?;
            walker.visit(tree, Some(&origin))?;
        }

        Ok(History {
            blobs: walker.blobs,
            commits: commits.len(),
            repo: shared,
        })
    }

    /// The distinct blobs, in the order they were first seen (oldest first).
    pub fn blobs(&self) -> &[HistoryBlob] {
        &self.blobs
    }

    /// How many commits were walked.
    pub fn commits(&self) -> usize {
        self.commits
    }

    /// A handle for reading blob contents from one thread. Cheap: it shares
    /// the open object database (pack indexes are mapped once) and adds a
    /// per-handle delta-base cache.
    pub fn reader(&self) -> BlobReader {
        let mut repo = self.repo.to_thread_local();
        enable_pack_cache(&mut repo);
        let name = repo_name(&repo);
        BlobReader { repo, name }
    }
}

/// Reads blob contents. Not `Sync`: create one per thread with
/// [`History::reader`].
pub struct BlobReader {
    repo: gix::Repository,
    name: PathBuf,
}

impl BlobReader {
    /// The content of the blob with hexadecimal id `id`.
    pub fn read(&self, id: &str) -> Result<Vec<u8>, GitError> {
        let oid = ObjectId::from_hex(id.as_bytes())
            .map_err(|_| GitError::InvalidId { id: id.to_owned() })?;
        read_blob(&self.repo, &self.name, oid)
    }
}

/// A file whose staged content differs from `HEAD`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagedBlob {
    /// `/`-separated, relative to the repository root.
    pub path: String,
    /// Full hexadecimal blob id.
    pub id: String,
    pub data: Vec<u8>,
}

/// Index entries that are new or whose content changed relative to `HEAD`'s
/// tree (what `git commit` would add), with their content read from the
/// object database, in index (path) order. Works before the first commit
/// (everything staged is new). Deleted files, mode-only changes, symbolic
/// links, submodules, `git add -N` placeholders and unmerged entries are not
/// returned.
///
/// Honours the variables git sets for hooks (`GIT_DIR`, `GIT_INDEX_FILE`,
/// …), so inside a pre-commit hook of `git commit -a` or `git commit FILE`
/// it reads the temporary index git prepared, as git itself would.
///
/// Cost: reading the index, plus the parts of `HEAD`'s tree that the index's
/// cached-tree extension does not vouch for. After `git add`, git keeps that
/// cache valid for untouched directories, so a typical commit reads only the
/// trees along the changed paths.
pub fn staged_blobs(path: &Path) -> Result<Vec<StagedBlob>, GitError> {
    let shared = discover(path, true)?;
    let repo = shared.to_thread_local();
    let name = repo_name(&repo);

    let head_tree = repo
        .head_tree_id_or_empty()
        .map_err(|e| GitError::Head {
            repo: name.clone(),
            source: e.into(),
        })?
        .detach();
    let index = repo.index_or_empty().map_err(|e| GitError::Index {
        repo: name.clone(),
        source: e.into(),
    })?;

    let mut head = HeadFiles::default();
    head.load(&repo, &name, head_tree, index.tree())?;

    let mut staged = Vec::new();
    for entry in index.entries() {
        use gix::index::entry::{Flags, Mode, Stage};
        if entry.stage() != Stage::Unconflicted
            || entry.flags.contains(Flags::INTENT_TO_ADD)
            || !(entry.mode == Mode::FILE || entry.mode == Mode::FILE_EXECUTABLE)
        {
            continue;
        }
        let entry_path = entry.path(&index);
        if head.vouched_for(entry_path) || head.files.get(entry_path) == Some(&entry.id) {
            continue;
        }
        staged.push(StagedBlob {
            path: entry_path.to_str_lossy().into_owned(),
            id: entry.id.to_string(),
            data: read_blob(&repo, &name, entry.id)?,
        });
    }
    Ok(staged)
}

/// The parts of `HEAD`'s tree needed to compare against the index.
#[derive(Default)]
struct HeadFiles {
    /// Blobs of `HEAD` in directories the cached tree does not vouch for.
    files: HashMap<BString, ObjectId>,
    /// Directories whose index entries are known to match `HEAD` exactly.
    unchanged_dirs: HashSet<BString>,
    /// The whole index matches `HEAD`.
    unchanged_root: bool,
}

impl HeadFiles {
    /// Reads `HEAD`'s `tree`, skipping every directory for which the index's
    /// cached tree is valid and equal to `HEAD`'s: git keeps that cache in
    /// step with the entries, so the entries below it are unchanged.
    fn load(
        &mut self,
        repo: &gix::Repository,
        name: &Path,
        tree: ObjectId,
        cache: Option<&gix::index::extension::Tree>,
    ) -> Result<(), GitError> {
        // An explicit stack rather than recursion: tree depth is not bounded
        // by anything but the object database.
        let mut pending = vec![(tree, cache, BString::default())];
        while let Some((tree, cache, prefix)) = pending.pop() {
            if let Some(cache) = cache
                && cache.num_entries.is_some()
                && cache.id == tree
            {
                if prefix.is_empty() {
                    self.unchanged_root = true;
                } else {
                    self.unchanged_dirs.insert(prefix);
                }
                continue;
            }
            let data = read_tree(repo, name, tree)?;
            // By name, so a directory with many subdirectories stays linear.
            let cached_children: HashMap<&[u8], &gix::index::extension::Tree> = cache
                .map(|c| c.children.iter().map(|t| (t.name.as_slice(), t)).collect())
                .unwrap_or_default();
            for entry in gix::objs::TreeRefIter::from_bytes(&data, repo.object_hash()) {
                let entry = entry.map_err(|e| corrupt(name, "tree", tree, e))?;
                let mut path = prefix.clone();
                if !path.is_empty() {
                    path.push_byte(b'/');
                }
                path.push_str(entry.filename);
                match entry.mode.kind() {
                    EntryKind::Tree => {
                        let child = cached_children.get(entry.filename.as_bytes()).copied();
                        pending.push((entry.oid.to_owned(), child, path));
                    }
                    EntryKind::Blob | EntryKind::BlobExecutable => {
                        self.files.insert(path, entry.oid.to_owned());
                    }
                    EntryKind::Link | EntryKind::Commit => {}
                }
            }
        }
        Ok(())
    }

    fn vouched_for(&self, path: &BStr) -> bool {
        if self.unchanged_root {
            return true;
        }
        if self.unchanged_dirs.is_empty() {
            return false;
        }
        path.rfind_iter("/")
            .any(|slash| self.unchanged_dirs.contains(&path[..slash]))
    }
}

/// A commit of the walk, as the revision walk reported it.
struct WalkedCommit {
    id: ObjectId,
    parents: Vec<ObjectId>,
    time: i64,
}

fn collect_commits(
    repo: &gix::Repository,
    name: &Path,
    tips: Vec<ObjectId>,
    hidden: &[ObjectId],
) -> Result<Vec<WalkedCommit>, GitError> {
    let walk_error = |e: gix::Error| GitError::Walk {
        repo: name.to_owned(),
        source: e.into(),
    };
    // Commit-time order makes the walk record each commit's time, which the
    // topological sort below uses to break ties.
    let walk = repo
        .rev_walk(tips)
        .sorting(gix::revision::walk::Sorting::ByCommitTime(
            Default::default(),
        ))
        .with_hidden(hidden.iter().copied())
        .all()
        .map_err(walk_error)?;
    let mut commits = Vec::new();
    for info in walk {
        let info = info.map_err(walk_error)?;
        commits.push(WalkedCommit {
            id: info.id,
            parents: info.parent_ids.iter().copied().collect(),
            time: info.commit_time.unwrap_or(0),
        });
    }
    Ok(commits)
}

/// Indices of `commits` with every parent before its children; among commits
/// that are ready at the same time, the oldest commit time (then the walk's
/// order) goes first, so independent branches interleave chronologically.
fn topological_oldest_first(commits: &[WalkedCommit]) -> Vec<usize> {
    let index: HashMap<ObjectId, usize> =
        commits.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); commits.len()];
    let mut waiting_on = vec![0usize; commits.len()];
    for (i, commit) in commits.iter().enumerate() {
        let mut parents: Vec<usize> = commit
            .parents
            .iter()
            .filter_map(|p| index.get(p).copied())
            .collect();
        // A commit listing the same parent twice must wait for it once.
        parents.sort_unstable();
        parents.dedup();
        waiting_on[i] = parents.len();
        for p in parents {
            children[p].push(i);
        }
    }
    let mut ready: BinaryHeap<Reverse<(i64, usize)>> = waiting_on
        .iter()
        .enumerate()
        .filter(|&(_, &n)| n == 0)
        .map(|(i, _)| Reverse((commits[i].time, i)))
        .collect();
    let mut order = Vec::with_capacity(commits.len());
    while let Some(Reverse((_, i))) = ready.pop() {
        order.push(i);
        for &child in &children[i] {
            waiting_on[child] -= 1;
            if waiting_on[child] == 0 {
                ready.push(Reverse((commits[child].time, child)));
            }
        }
    }
    order
}

/// Visits trees, recording each blob the first time its id is seen.
struct TreeWalker<'r> {
    repo: &'r gix::Repository,
    name: PathBuf,
    seen: gix::hashtable::HashSet<ObjectId>,
    blobs: Vec<HistoryBlob>,
}

impl<'r> TreeWalker<'r> {
    fn new(repo: &'r gix::Repository, name: PathBuf) -> Self {
        TreeWalker {
            repo,
            name,
            seen: Default::default(),
            blobs: Vec::new(),
        }
    }

    fn optional_commit_tree(&self, id: ObjectId) -> Result<Option<ObjectId>, GitError> {
        if !self.repo.has_object(id) {
            return Ok(None);
        }
        self.commit_origin(id).map(|(tree, _)| Some(tree))
    }

    fn commit_origin(&self, id: ObjectId) -> Result<(ObjectId, Origin), GitError> {
        let commit = self
            .repo
            .find_commit(id)
            .map_err(|e| corrupt(&self.name, "commit", id, e))?;
        let decoded = commit
            .decode()
            .map_err(|e| corrupt(&self.name, "commit", id, e))?;
        let author = decoded
            .author()
            .map_err(|e| corrupt(&self.name, "commit", id, e))?
            .trim();
        let time =
            jiff::Timestamp::from_second(author.seconds()).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        let origin = Origin {
            commit: id.to_string(),
            author: format!(
                "{} <{}>",
                author.name.to_str_lossy(),
                author.email.to_str_lossy()
            ),
            time,
        };
        Ok((decoded.tree(), origin))
    }

    /// Walks `root`, skipping subtrees already seen. With `origin`, new
    /// blobs are recorded; without, they are only marked as seen (the edge
    /// of a range).
    fn visit(&mut self, root: ObjectId, origin: Option<&Origin>) -> Result<(), GitError> {
        if !self.seen.insert(root) {
            return Ok(());
        }
        // An explicit stack: a hostile repository can nest trees deeper than
        // the thread's stack would allow recursion.
        let mut pending: Vec<(ObjectId, String)> = vec![(root, String::new())];
        let mut subtrees: Vec<(ObjectId, String)> = Vec::new();
        while let Some((tree, prefix)) = pending.pop() {
            let data = read_tree(self.repo, &self.name, tree)?;
            for entry in gix::objs::TreeRefIter::from_bytes(&data, self.repo.object_hash()) {
                let entry = entry.map_err(|e| corrupt(&self.name, "tree", tree, e))?;
                let kind = entry.mode.kind();
                if !matches!(
                    kind,
                    EntryKind::Tree | EntryKind::Blob | EntryKind::BlobExecutable
                ) {
                    continue;
                }
                let id = entry.oid.to_owned();
                if !self.seen.insert(id) {
                    continue;
                }
                let path = join(&prefix, entry.filename);
                if kind == EntryKind::Tree {
                    subtrees.push((id, path));
                } else if let Some(origin) = origin {
                    let size = self
                        .repo
                        .find_header(id)
                        .map_err(|e| corrupt(&self.name, "blob", id, e))?
                        .size();
                    self.blobs.push(HistoryBlob {
                        id: id.to_string(),
                        size,
                        origin: BlobOrigin {
                            commit: origin.commit.clone(),
                            author: origin.author.clone(),
                            time: origin.time,
                            path,
                        },
                    });
                }
            }
            // Reversed so the stack pops them in tree (name) order.
            pending.extend(subtrees.drain(..).rev());
        }
        Ok(())
    }
}

struct Origin {
    commit: String,
    author: String,
    time: jiff::Timestamp,
}

fn join(prefix: &str, name: &BStr) -> String {
    let name = name.to_str_lossy();
    if prefix.is_empty() {
        name.into_owned()
    } else {
        format!("{prefix}/{name}")
    }
}

fn discover(path: &Path, from_environment: bool) -> Result<gix::ThreadSafeRepository, GitError> {
    let opened = if from_environment {
        gix::ThreadSafeRepository::discover_with_environment_overrides(path)
    } else {
        gix::ThreadSafeRepository::discover(path)
    };
    opened.map_err(|e| {
        let path = path.to_owned();
        if e.is_not_found() {
            GitError::NotARepository {
                path,
                source: e.into(),
            }
        } else {
            GitError::Open {
                path,
                source: e.into(),
            }
        }
    })
}

fn enable_pack_cache(repo: &mut gix::Repository) {
    repo.objects.set_pack_cache(|| {
        Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(
            PACK_CACHE_BYTES,
        ))
    });
}

/// The directory to name in messages: the work tree, else the git directory.
fn repo_name(repo: &gix::Repository) -> PathBuf {
    repo.workdir().unwrap_or_else(|| repo.git_dir()).to_owned()
}

fn resolve_selection(
    repo: &gix::Repository,
    name: &Path,
    selection: &RevSelection,
) -> Result<(Vec<ObjectId>, Vec<ObjectId>), GitError> {
    let head = || -> Result<Vec<ObjectId>, GitError> {
        let head = repo.head().map_err(|e| GitError::Head {
            repo: name.to_owned(),
            source: e.into(),
        })?;
        if head.is_unborn() {
            return Ok(Vec::new());
        }
        Ok(vec![resolve_commit(repo, name, "HEAD")?])
    };
    Ok(match selection {
        RevSelection::All => (head()?, Vec::new()),
        RevSelection::Since(rev) => {
            let hidden = resolve_commit(repo, name, rev)?;
            (head()?, vec![hidden])
        }
        RevSelection::Range(from, to) => {
            let hidden = resolve_commit(repo, name, from)?;
            (vec![resolve_commit(repo, name, to)?], vec![hidden])
        }
    })
}

fn resolve_commit(repo: &gix::Repository, name: &Path, rev: &str) -> Result<ObjectId, GitError> {
    let id = repo
        .rev_parse_single(rev)
        .map_err(|e| GitError::UnknownRevision {
            repo: name.to_owned(),
            rev: rev.to_owned(),
            source: e.into(),
        })?;
    let commit = id
        .object()
        .and_then(|object| object.peel_to_commit())
        .map_err(|e| GitError::NotACommit {
            repo: name.to_owned(),
            rev: rev.to_owned(),
            source: e.into(),
        })?;
    Ok(commit.id)
}

fn read_tree(repo: &gix::Repository, name: &Path, id: ObjectId) -> Result<Vec<u8>, GitError> {
    let tree = repo
        .find_tree(id)
        .map_err(|e| corrupt(name, "tree", id, e))?;
    Ok(tree.detach().data)
}

fn read_blob(repo: &gix::Repository, name: &Path, id: ObjectId) -> Result<Vec<u8>, GitError> {
    let blob = repo
        .find_blob(id)
        .map_err(|e| corrupt(name, "blob", id, e))?;
    Ok(blob.detach().data)
}

fn corrupt(name: &Path, kind: &'static str, id: ObjectId, source: impl Into<Source>) -> GitError {
    GitError::Object {
        repo: name.to_owned(),
        kind,
        id: id.to_string(),
        source: source.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit(n: u8, parents: &[u8], time: i64) -> WalkedCommit {
        WalkedCommit {
            id: ObjectId::from_bytes_or_panic(&[n; 20]),
            parents: parents
                .iter()
                .map(|&p| ObjectId::from_bytes_or_panic(&[p; 20]))
                .collect(),
            time,
        }
    }

    #[test]
    fn parents_come_first_even_with_skewed_clocks() {
        // 2's clock is behind its parent 1; 3 merges 2 and 4.
        let commits = vec![
            commit(3, &[2, 4], 50),
            commit(4, &[1], 30),
            commit(2, &[1], 5),
            commit(1, &[], 10),
        ];
        let order: Vec<u8> = topological_oldest_first(&commits)
            .into_iter()
            .map(|i| commits[i].id.as_bytes()[0])
            .collect();
        assert_eq!(order, [1, 2, 4, 3]);
    }

    #[test]
    fn missing_parents_do_not_block() {
        let commits = vec![commit(2, &[1], 20), commit(1, &[9, 9], 10)];
        assert_eq!(topological_oldest_first(&commits), [1, 0]);
    }
}
