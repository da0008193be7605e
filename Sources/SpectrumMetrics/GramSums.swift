import Foundation
import LinearAlgebra

/// The mergeable aggregate behind the fitted projection: per (layer, head), `G = Σ_train P_sᵀ P_s`
/// over the training windows, and how many windows went into it.
///
/// The sums are kept in exact fixed point, so they do not depend on the order in which head jobs
/// finish or shards are merged: every added element x is split into `x·2²⁰ = h + f` (h an integer,
/// f ∈ [0, 1)) and f is rounded to a multiple of 2⁻⁵² — a resolution of 2⁻⁷² ≈ 2·10⁻²² in x, far
/// below the rounding of the `dsyrk` that produced x — and the integer parts are summed in two
/// `Int64` limbs (`high` in units of 2⁻²⁰, `low` in units of 2⁻⁷², carried at 2⁵²). Integer
/// addition is associative, so a merged aggregate equals a single run's bit for bit. Elements are
/// the upper triangle (i ≤ j) of each symmetric n × n sum, row by row: `n(n+1)/2` per head.
///
/// Concurrent ``add(upperGram:layer:head:)`` calls on different or equal heads are safe (one lock per head).
public final class GramSums: @unchecked Sendable {
    /// L, H, n.
    public let layers: Int, heads: Int, order: Int
    /// `[L, H, n(n+1)/2]` high limbs (units of 2⁻²⁰) and low limbs (units of 2⁻⁷², in [0, 2⁵²)), copied out.
    public var high: [Int64] { Array(UnsafeBufferPointer(start: highLimbs, count: size)) }
    public var low: [Int64] { Array(UnsafeBufferPointer(start: lowLimbs, count: size)) }
    /// `[L, H]` windows added per head, copied out.
    public var count: [Int64] { Array(UnsafeBufferPointer(start: counts, count: layers * heads)) }
    // Fixed allocations rather than arrays: jobs of different heads write disjoint slots at the same
    // time, which a Swift array (whose every write checks its buffer's uniqueness) does not allow.
    private let highLimbs: UnsafeMutablePointer<Int64>, lowLimbs: UnsafeMutablePointer<Int64>
    private let counts: UnsafeMutablePointer<Int64>
    private let size: Int
    private let locks: [NSLock]

    /// Elements stored per head: the upper triangle of an n × n matrix.
    public var elementsPerHead: Int { order * (order + 1) / 2 }

    static let highScale = 0x1p20, lowScale = 0x1p52
    static let lowMask: Int64 = (1 << 52) - 1

    /// An empty aggregate.
    public init(layers: Int, heads: Int, order n: Int) {
        (self.layers, self.heads, self.order) = (layers, heads, n)
        size = layers * heads * n * (n + 1) / 2
        highLimbs = .allocate(capacity: max(1, size))
        highLimbs.initialize(repeating: 0, count: max(1, size))
        lowLimbs = .allocate(capacity: max(1, size))
        lowLimbs.initialize(repeating: 0, count: max(1, size))
        counts = .allocate(capacity: max(1, layers * heads))
        counts.initialize(repeating: 0, count: max(1, layers * heads))
        locks = (0..<(layers * heads)).map { _ in NSLock() }
    }

    deinit {
        highLimbs.deallocate()
        lowLimbs.deallocate()
        counts.deallocate()
    }

    /// An aggregate from stored limbs (a run file's), checked for shape and limb range.
    public convenience init(layers: Int, heads: Int, order n: Int, high: [Int64], low: [Int64], count: [Int64]) throws(AnalysisError) {
        let size = layers * heads * n * (n + 1) / 2
        guard high.count == size, low.count == size, count.count == layers * heads else {
            throw .numeric("Gram sums hold \(high.count)/\(low.count) limbs and \(count.count) counts; [\(layers), \(heads), \(n)·\(n + 1)/2] needs \(size) and \(layers * heads)")
        }
        guard low.allSatisfy({ $0 >= 0 && $0 <= Self.lowMask }), count.allSatisfy({ $0 >= 0 }) else {
            throw .numeric("Gram sums hold a low limb outside [0, 2^52) or a negative count")
        }
        self.init(layers: layers, heads: heads, order: n)
        highLimbs.update(from: high, count: size)
        lowLimbs.update(from: low, count: size)
        counts.update(from: count, count: layers * heads)
    }

    /// Adds one window's `PᵀP` of one head, given as the upper triangle of a column-major
    /// `[n, n]` buffer (``BLAS/upperGram(ofRowMajorSquare:order:into:)``'s output).
    /// - Throws: `.numeric` for a non-finite or out-of-range element (|x| ≥ 2³⁰) or limb overflow.
    public func add(upperGram g: UnsafePointer<Double>, layer: Int, head: Int) throws(AnalysisError) {
        let n = order, slot = layer * heads + head, base = slot * elementsPerHead
        guard (0..<layers).contains(layer), (0..<heads).contains(head) else {
            throw .numeric("Gram sum for layer \(layer), head \(head) outside [\(layers), \(heads)]")
        }
        locks[slot].lock()
        defer { locks[slot].unlock() }
        var offset = base
        for i in 0..<n {
            for j in i..<n {
                try accumulate(g[i + j * n], at: offset, layer: layer, head: head)
                offset += 1
            }
        }
        counts[slot] += 1
    }

    private func accumulate(_ x: Double, at offset: Int, layer: Int, head: Int) throws(AnalysisError) {
        guard x.isFinite, abs(x) < 0x1p30 else {
            throw .numeric("layer \(layer), head \(head): Gram element \(x) is not finite or exceeds 2^30")
        }
        let scaled = x * Self.highScale                 // exact: a power-of-two scaling
        let whole = scaled.rounded(.down)
        let fraction = ((scaled - whole) * Self.lowScale).rounded()   // scaled − whole is exact
        let (h, overflow) = highLimbs[offset].addingReportingOverflow(Int64(whole))
        var l = lowLimbs[offset] + Int64(fraction)        // < 2⁵³, no overflow
        let carry = l >> 52
        l &= Self.lowMask
        let (h2, overflow2) = h.addingReportingOverflow(carry)
        guard !overflow, !overflow2 else { throw .numeric("layer \(layer), head \(head): Gram sum overflows") }
        highLimbs[offset] = h2
        lowLimbs[offset] = l
    }

    /// Adds another aggregate of the same shape (merging shards); exact.
    public func merge(_ other: GramSums) throws(AnalysisError) {
        guard other.layers == layers, other.heads == heads, other.order == order else {
            throw .incompatibleShards("Gram sums of shape [\(layers), \(heads), \(order)] and [\(other.layers), \(other.heads), \(other.order)]")
        }
        for index in 0..<size {
            var l = lowLimbs[index] + other.lowLimbs[index]
            let carry = l >> 52
            l &= Self.lowMask
            let (h, o1) = highLimbs[index].addingReportingOverflow(other.highLimbs[index])
            let (h2, o2) = h.addingReportingOverflow(carry)
            guard !o1, !o2 else { throw .numeric("merged Gram sums overflow") }
            (highLimbs[index], lowLimbs[index]) = (h2, l)
        }
        for slot in 0..<(layers * heads) { counts[slot] += other.counts[slot] }
    }

    /// The symmetric sum of one head as a full `[n, n]` matrix in double (relative error ≈ 2ε per element).
    public func matrix(layer: Int, head: Int) -> Matrix<Double> {
        let n = order, base = (layer * heads + head) * elementsPerHead
        var m = Matrix<Double>(rows: n, columns: n)
        var offset = base
        for i in 0..<n {
            for j in i..<n {
                let value = Double(highLimbs[offset]) / Self.highScale + Double(lowLimbs[offset]) / (Self.highScale * Self.lowScale)
                m.storage[i * n + j] = value
                m.storage[j * n + i] = value
                offset += 1
            }
        }
        return m
    }
}
