//! One small sort for the few places that order things (tool calls and choices by
//! index, an object's keys to find repeats): a heapsort, a few hundred bytes of Wasm
//! per use where core's `sort_unstable` is two kilobytes, in O(n log n) whatever the
//! input, so a hostile stream or object cannot make it quadratic. Not stable: callers
//! sort by keys that are unique, or break ties themselves.

/// Sorts `items` so that no item is `less` than one before it.
pub fn sort_by<T>(items: &mut [T], less: &dyn Fn(&T, &T) -> bool) {
    let n = items.len();
    for root in (0..n / 2).rev() {
        sift_down(items, root, n, less);
    }
    for end in (1..n).rev() {
        items.swap(0, end);
        sift_down(items, 0, end, less);
    }
}

/// Restores the max-heap below `root` within `items[..end]`.
fn sift_down<T>(items: &mut [T], mut root: usize, end: usize, less: &dyn Fn(&T, &T) -> bool) {
    loop {
        let mut child = 2 * root + 1;
        if child >= end {
            return;
        }
        if child + 1 < end && less(&items[child], &items[child + 1]) {
            child += 1;
        }
        if !less(&items[root], &items[child]) {
            return;
        }
        items.swap(root, child);
        root = child;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn sorts_as_core_sorts(mut v in prop::collection::vec(any::<i32>(), 0..60)) {
            let mut want = v.clone();
            want.sort_unstable();
            sort_by(&mut v, &|a, b| a < b);
            prop_assert_eq!(v, want);
        }
    }
}
