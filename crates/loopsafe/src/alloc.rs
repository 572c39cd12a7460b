//! The global allocator: mimalloc, with a scratch heap per thread for syntax trees.
//!
//! Each file's syntax tree is large and short-lived; the facts extracted from it are small
//! and kept for the whole run. Allocated from one heap, the two interleave on the same
//! pages, and every freed tree leaves its pages pinned by a few facts: peak memory grows
//! with the project. Parsing into a separate heap keeps the trees' pages apart, so each
//! file reuses the memory the previous one freed.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::ffi::c_void;

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

thread_local! {
    static SCRATCH: Cell<*mut mi::mi_heap_t> = const { Cell::new(std::ptr::null_mut()) };
}

/// Allocations on this thread go to its scratch heap until [`leave_scratch`].
pub fn enter_scratch() {
    SCRATCH.with(|s| {
        if s.get().is_null() {
            // SAFETY: creates a heap owned by this thread; it lives as long as the thread.
            s.set(unsafe { mi::mi_heap_new() });
        }
    });
    ACTIVE.with(|a| a.set(true));
}

pub fn leave_scratch() {
    ACTIVE.with(|a| a.set(false));
}

thread_local! {
    static ACTIVE: Cell<bool> = const { Cell::new(false) };
}

fn scratch() -> Option<*mut mi::mi_heap_t> {
    if ACTIVE.try_with(Cell::get).unwrap_or(false) {
        SCRATCH.try_with(Cell::get).ok().filter(|h| !h.is_null())
    } else {
        None
    }
}

// SAFETY: every block comes from mimalloc (default heap or a scratch heap), and
// `mi_free` releases a block of any heap from any thread.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match scratch() {
            Some(heap) => unsafe {
                mi::mi_heap_malloc_aligned(heap, layout.size(), layout.align()) as *mut u8
            },
            None => unsafe { mi::mi_malloc_aligned(layout.size(), layout.align()) as *mut u8 },
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        match scratch() {
            Some(heap) => unsafe {
                mi::mi_heap_zalloc_aligned(heap, layout.size(), layout.align()) as *mut u8
            },
            None => unsafe { mi::mi_zalloc_aligned(layout.size(), layout.align()) as *mut u8 },
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        unsafe { mi::mi_free(ptr as *mut c_void) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        match scratch() {
            Some(heap) => unsafe {
                mi::mi_heap_realloc_aligned(heap, ptr as *mut c_void, new_size, layout.align())
                    as *mut u8
            },
            None => unsafe {
                mi::mi_realloc_aligned(ptr as *mut c_void, new_size, layout.align()) as *mut u8
            },
        }
    }
}
