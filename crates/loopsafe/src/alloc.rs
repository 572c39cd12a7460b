//! The global allocator: mimalloc, with a scratch arena per thread for syntax trees.
//!
//! Each file's text and syntax tree are large and short-lived; the facts extracted from
//! them are small and kept for the whole run. Allocated from one heap, the two interleave
//! on the same pages, and every freed tree leaves its pages pinned by a few facts: peak
//! memory grows with the project. So each file is read and parsed into a scratch arena of
//! its thread: allocating there is a pointer bump, freeing a block there does nothing, and
//! once the file's facts are taken the whole arena is reset at once. Dropping a syntax
//! tree node by node, and mimalloc's bookkeeping for each node, cost about a tenth of a
//! cold run (perf). A mimalloc heap created and destroyed per file cost more than it
//! saved (v3 heaps are shared between threads and carry locks and statistics).
//!
//! The facts are then copied into a second arena of the thread, the kept one: the facts
//! of a whole project live until the end of the check, so none of them is freed on its
//! own, and allocating one is a pointer bump instead of a call into mimalloc (a cold run
//! spent a tenth of its time copying facts, a fifth of that in mimalloc). The check
//! releases the kept arenas when it ends; each is reset when its thread next keeps
//! something.
//!
//! The arenas are slots of one address range reserved at start (not committed: the kernel
//! backs a page when it is first touched), so "is this block in an arena" is one
//! comparison, from any thread. A thread keeps its slots for its life (the threads that
//! parse are `loopsafe_core`'s one pool). Where the range cannot be reserved, when the
//! slots run out, or for a block too big for its slot, allocations go to mimalloc.
//!
//! Resetting an arena frees every block in it at once, whoever still holds one: the
//! library's side of that contract is in `loopsafe_core::ArenaHooks`. Debug builds fill
//! a reset arena with [`POISON`], so that a block used after it reads as garbage in tests
//! (and every test of the CLI runs its debug build).

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::ffi::c_void;
use std::sync::atomic::{AtomicUsize, Ordering};

use libmimalloc_sys as mi;

pub struct Allocator;

/// `mi_option_allow_thp` in mimalloc v3's `mimalloc.h`; the Rust bindings predate it.
const MI_OPTION_ALLOW_THP: mi::mi_option_t = 43;

/// Turns transparent huge pages off for this process.
///
/// mimalloc asks for huge pages by default. Each first touch of one then zeroes 2 MiB,
/// and on a machine whose free memory is fragmented the kernel compacts memory to find
/// them: on the benchmark corpus a cold run spent a third of its time in the kernel
/// zeroing pages (perf), and ran in 0.61 s instead of 0.90 s without them, with 140 MiB
/// peak memory instead of 180 MiB. Ordinary pages suit a short run that touches ~150 MiB.
pub fn disable_huge_pages() {
    // SAFETY: the option is a plain setting; prctl only changes this process's flags.
    unsafe {
        mi::mi_option_set(MI_OPTION_ALLOW_THP, 0);
        #[cfg(target_os = "linux")]
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// One thread's arena: more than the text and tree of any real file need.
const SLOT: usize = 4 << 30;
const SLOTS: usize = 64;
/// The first half of the slots are scratch arenas, the second half kept ones.
const SCRATCH_SLOTS: usize = SLOTS / 2;
/// After a file that used more than this, the rest of its memory is handed back.
const KEEP: usize = 64 << 20;
/// Bigger blocks come from mimalloc, arena or not: they are few, and in the arena a
/// growing list (a huge file's tokens) would leave every smaller copy of itself behind.
const BIG: usize = 256 << 10;

/// What a reset arena is filled with in debug builds.
#[cfg(debug_assertions)]
const POISON: u8 = 0xDB;

/// The reserved range: `BASE` and its length, 0 until reserved (and if it could not be).
static BASE: AtomicUsize = AtomicUsize::new(0);
static LEN: AtomicUsize = AtomicUsize::new(0);
static NEXT_SLOT: AtomicUsize = AtomicUsize::new(0);
static NEXT_KEPT_SLOT: AtomicUsize = AtomicUsize::new(SCRATCH_SLOTS);
/// Bumped by each release of the kept arenas: one whose thread has seen an older value
/// holds nothing in use.
static RELEASES: AtomicUsize = AtomicUsize::new(0);

/// Reserves the address range of every thread's arena. Called before any thread starts;
/// a second call does nothing, so that the range never changes while blocks are freed.
pub fn reserve_arenas() {
    static RESERVED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if RESERVED.swap(true, Ordering::AcqRel) {
        return;
    }
    #[cfg(target_os = "linux")]
    {
        let len = SLOT * SLOTS;
        // SAFETY: a fresh private anonymous mapping; nothing else refers to its range.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if p != libc::MAP_FAILED {
            BASE.store(p as usize, Ordering::Release);
            LEN.store(len, Ordering::Release);
        }
    }
}

fn in_arenas(p: *mut u8) -> bool {
    (p as usize).wrapping_sub(BASE.load(Ordering::Relaxed)) < LEN.load(Ordering::Relaxed)
}

/// This thread's arena: its slot, the next free byte, and the highest byte used since
/// the last reset. `start` is 0 while the thread has no slot.
struct Arena {
    start: Cell<usize>,
    next: Cell<usize>,
    high: Cell<usize>,
    active: Cell<bool>,
    /// For a kept arena, the value of `RELEASES` when it was last reset.
    releases: Cell<usize>,
}

impl Arena {
    const fn new() -> Arena {
        Arena {
            start: Cell::new(0),
            next: Cell::new(0),
            high: Cell::new(0),
            active: Cell::new(false),
            releases: Cell::new(0),
        }
    }
}

thread_local! {
    static ARENA: Arena = const { Arena::new() };
    static KEPT: Arena = const { Arena::new() };
}

impl Arena {
    /// A block from the arena, or None when it is not in use or has no room.
    fn alloc(&self, layout: Layout) -> Option<*mut u8> {
        if !self.active.get() || layout.size() > BIG {
            return None;
        }
        let start = self.start.get();
        let at = self.next.get().checked_add(layout.align() - 1)? & !(layout.align() - 1);
        let end = at.checked_add(layout.size())?;
        if end > start + SLOT {
            return None;
        }
        self.next.set(end);
        self.high.set(self.high.get().max(end));
        Some(at as *mut u8)
    }

    /// Grows the arena's last block where it is, when it is `p` and there is room.
    fn grow_last(&self, p: *mut u8, old: usize, new: usize) -> bool {
        let at = p as usize;
        // Only a block of this thread's own slot: another slot's last block can end just
        // where this one starts.
        let own = at >= self.start.get();
        let fits = new <= BIG && at + new <= self.start.get() + SLOT;
        if !self.active.get() || !own || at + old != self.next.get() || !fits {
            return false;
        }
        self.next.set(at + new);
        self.high.set(self.high.get().max(at + new));
        true
    }
}

/// The scratch and kept arenas as `loopsafe_core` uses them for each file it parses.
///
/// # Safety
///
/// The scope serves one check at a time: no two checks run at once with scopes from this
/// function (they share the arenas, and one's release would free the other's facts).
pub unsafe fn scratch_scope() -> loopsafe_core::ParseScope {
    let hooks = loopsafe_core::ArenaHooks {
        enter: enter_scratch,
        leave: leave_scratch,
        discard: discard_scratch,
        keep: enter_kept,
        leave_kept,
        release: release_kept,
    };
    // SAFETY: the functions below do what `ArenaHooks` says; the allocator frees no arena
    // block on its own (`dealloc`); the caller runs one check at a time with it.
    unsafe { loopsafe_core::ParseScope::new(hooks) }
}

impl Arena {
    /// Starts using the arena, given its slot the first time (from `next`, below `end`).
    fn activate(&self, next: &AtomicUsize, end: usize) {
        if self.start.get() == 0 {
            let slot = next.fetch_add(1, Ordering::Relaxed);
            if slot >= end || LEN.load(Ordering::Acquire) == 0 {
                return;
            }
            let start = BASE.load(Ordering::Acquire) + slot * SLOT;
            self.start.set(start);
            self.next.set(start);
            self.high.set(start);
        }
        self.active.set(true);
    }

    /// Frees everything in the arena at once.
    ///
    /// # Safety
    ///
    /// Nothing allocated in the arena is used, or dropped, afterwards.
    unsafe fn reset(&self) {
        let start = self.start.get();
        if start == 0 {
            return;
        }
        // A block used after the reset reads as garbage (and a pointer in it as an
        // address nothing maps), where without this it would still hold its old bytes.
        // Every block since the last reset is below `next`.
        #[cfg(debug_assertions)]
        // SAFETY: the bytes are in this thread's slot and hold nothing in use.
        unsafe {
            std::ptr::write_bytes(start as *mut u8, POISON, self.next.get() - start);
        }
        self.next.set(start);
        let used = self.high.get() - start;
        if used > KEEP {
            #[cfg(target_os = "linux")]
            // SAFETY: the pages are in this thread's slot and hold nothing in use.
            unsafe {
                libc::madvise(
                    (start + KEEP) as *mut c_void,
                    used - KEEP,
                    libc::MADV_DONTNEED,
                );
            }
            self.high.set(start + KEEP);
        }
    }
}

// The hooks of `scratch_scope`: their safety sections are those of `ArenaHooks`.

/// Allocations on this thread go to its arena until [`leave_scratch`].
///
/// # Safety
///
/// What is allocated until then is dead at the next [`discard_scratch`].
unsafe fn enter_scratch() {
    let _ = ARENA.try_with(|a| a.activate(&NEXT_SLOT, SCRATCH_SLOTS));
}

fn leave_scratch() {
    let _ = ARENA.try_with(|a| a.active.set(false));
}

/// Frees everything in this thread's arena at once.
///
/// # Safety
///
/// Nothing allocated there since the last discard is used, or dropped, afterwards.
unsafe fn discard_scratch() {
    // SAFETY: the caller's.
    let _ = ARENA.try_with(|a| unsafe { a.reset() });
}

/// Allocations on this thread go to its kept arena until [`leave_kept`]. The arena is
/// reset first if the kept arenas were released since it was last used.
///
/// # Safety
///
/// What is allocated until then is dead at the next [`release_kept`].
unsafe fn enter_kept() {
    let _ = KEPT.try_with(|k| {
        let releases = RELEASES.load(Ordering::Acquire);
        if k.releases.get() != releases {
            // SAFETY: what the arena holds was released, so is dead (`release_kept`).
            unsafe { k.reset() };
            k.releases.set(releases);
        }
        k.activate(&NEXT_KEPT_SLOT, SLOTS);
    });
}

fn leave_kept() {
    let _ = KEPT.try_with(|k| k.active.set(false));
}

/// Frees every thread's kept arena, each when its thread next keeps something.
///
/// # Safety
///
/// Nothing allocated in a kept arena since the last release is used, or dropped,
/// afterwards.
unsafe fn release_kept() {
    RELEASES.fetch_add(1, Ordering::AcqRel);
}

fn arena_alloc(layout: Layout) -> Option<*mut u8> {
    // At most one of the two is active on a thread at a time.
    if let Ok(Some(p)) = KEPT.try_with(|k| k.alloc(layout)) {
        return Some(p);
    }
    ARENA.try_with(|a| a.alloc(layout)).ok().flatten()
}

// SAFETY: a block is either in an arena (never freed on its own: the arena is reset by
// `ParseScope::discard`, whose caller keeps nothing from it) or from mimalloc, and
// `mi_free` releases a mimalloc block from any thread.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match arena_alloc(layout) {
            Some(p) => p,
            None => unsafe { mi::mi_malloc_aligned(layout.size(), layout.align()) as *mut u8 },
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        match arena_alloc(layout) {
            Some(p) => {
                // SAFETY: the block is `layout.size()` bytes of this thread's arena.
                unsafe { std::ptr::write_bytes(p, 0, layout.size()) };
                p
            }
            None => unsafe { mi::mi_zalloc_aligned(layout.size(), layout.align()) as *mut u8 },
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        if !in_arenas(ptr) {
            unsafe { mi::mi_free(ptr as *mut c_void) }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if !in_arenas(ptr) {
            // A block from mimalloc stays there, wherever its thread allocates now.
            return unsafe {
                mi::mi_realloc_aligned(ptr as *mut c_void, new_size, layout.align()) as *mut u8
            };
        }
        let old = layout.size();
        let grown = |arena: &'static std::thread::LocalKey<Arena>| {
            arena
                .try_with(|a| a.grow_last(ptr, old, new_size))
                .unwrap_or(false)
        };
        if grown(&KEPT) || grown(&ARENA) {
            return ptr;
        }
        // SAFETY: the caller guarantees the new layout is valid (`GlobalAlloc::realloc`).
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        let new = unsafe { self.alloc(new_layout) };
        if !new.is_null() {
            // SAFETY: both blocks hold at least the smaller size and do not overlap.
            unsafe { std::ptr::copy_nonoverlapping(ptr, new, old.min(new_size)) };
        }
        new
    }
}
