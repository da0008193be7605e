/// An immutable, heap-allocated run of floats that the hot loop reads through a raw pointer
/// (no array bounds checks, no copy-on-write checks).
///
/// Sendable because the memory is written only in `init` and freed only in `deinit`.
final class WeightBuffer: @unchecked Sendable {
    /// First element; valid for `count` elements while `self` is alive.
    let pointer: UnsafePointer<Float>
    /// Number of elements.
    let count: Int

    /// Concatenates `parts` (e.g. the query, key and value matrices into one `[3h, h]` matrix).
    init(concatenating parts: [[Float]]) {
        let total = parts.reduce(0) { $0 + $1.count }
        let storage = UnsafeMutablePointer<Float>.allocate(capacity: max(total, 1))
        var offset = 0
        for part in parts {
            part.withUnsafeBufferPointer { source in
                if let base = source.baseAddress { (storage + offset).initialize(from: base, count: source.count) }
            }
            offset += part.count
        }
        pointer = UnsafePointer(storage)
        count = total
    }

    /// `count` floats written by `fill` (which must initialize all of them).
    init<E: Error>(count: Int, fill: (UnsafeMutablePointer<Float>) throws(E) -> Void) throws(E) {
        let storage = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
        do {
            try fill(storage)
        } catch {
            storage.deallocate()
            throw error
        }
        pointer = UnsafePointer(storage)
        self.count = count
    }

    /// Copies `values`.
    convenience init(_ values: [Float]) { self.init(concatenating: [values]) }

    deinit { UnsafeMutablePointer(mutating: pointer).deallocate() }
}
