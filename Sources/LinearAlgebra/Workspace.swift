/// A grow-only scratch buffer for LAPACK/BLAS work arrays, owned by exactly one solver, kernel or
/// per-worker workspace (never shared between threads).
///
/// Reallocation happens only when a call needs more elements than ever before, so a solver
/// that is reused for same-sized matrices allocates nothing after its first call. The contents
/// are scratch: they are not preserved when the buffer grows.
public final class Workspace<Element: Numeric> {
    /// The buffer; at least ``capacity`` initialized elements.
    public private(set) var pointer: UnsafeMutablePointer<Element>
    /// Elements the buffer holds.
    public private(set) var capacity: Int

    /// A buffer of `capacity` zeros (at least one).
    public init(capacity: Int = 1) {
        let count = max(1, capacity)
        pointer = .allocate(capacity: count)
        pointer.initialize(repeating: .zero, count: count)
        self.capacity = count
    }

    /// A pointer to at least `count` elements (at least one, so LAPACK never sees a null pointer).
    public func reserve(_ count: Int) -> UnsafeMutablePointer<Element> {
        if count > capacity {
            pointer.deallocate()
            pointer = .allocate(capacity: count)
            pointer.initialize(repeating: .zero, count: count)
            capacity = count
        }
        return pointer
    }

    deinit { pointer.deallocate() }
}
