import Dispatch

/// How a forward pass splits one layer's work over threads, shared by every model family.
///
/// Row-local GEMMs run on blocks of ``rowBlock`` rows fixed by n alone, and heads run one by one;
/// each block and head is computed by the same calls in the same order whatever the thread count,
/// so outputs are bit-identical for any `threads` (OpenBLAS may round the edge rows of a GEMM over a
/// different number of rows differently, so the partition must not depend on the threads).
struct WorkPartition: Sendable {
    /// Rows per block: a multiple of every OpenBLAS sgemm unroll, and small enough that n = 512
    /// gives 8 blocks to balance over the cores.
    static let rowBlock = 64

    /// Sequence length n.
    let rows: Int
    /// Tasks to spread the items of a region over (at least 1).
    let threads: Int

    /// Row blocks of n rows.
    var blocks: Int { (rows + Self.rowBlock - 1) / Self.rowBlock }

    /// The rows of block `index` (``rowBlock`` rows; the last block may be shorter).
    func rows(ofBlock index: Int) -> Range<Int> {
        (index * Self.rowBlock)..<min(rows, (index + 1) * Self.rowBlock)
    }

    /// Runs `body(blocks)` once per task with the row blocks that task owns (block `b` goes to task
    /// `b mod tasks`), so a task can run several GEMMs over its blocks with one weight slice in cache
    /// (``Kernels/linear(blocks:inner:out:x:ldx:weight:bias:residual:y:ldy:)``). Each block is still
    /// computed by the same calls whatever the task, hence whatever `threads`.
    func parallelBlocks(_ body: @Sendable ([Range<Int>]) -> Void) {
        let count = blocks, tasks = min(threads, count)
        let owned: @Sendable (Int) -> [Range<Int>] = { task in
            stride(from: task, to: count, by: tasks).map { rows(ofBlock: $0) }
        }
        if tasks <= 1 {
            body(owned(0))
        } else {
            DispatchQueue.concurrentPerform(iterations: tasks) { task in body(owned(task)) }
        }
    }

    /// Runs `body(item)` for every `item` in `0..<count`, spread over ``threads`` tasks.
    func parallel(over count: Int, _ body: @Sendable (Int) -> Void) {
        let tasks = min(threads, count)
        if tasks <= 1 {
            for item in 0..<count { body(item) }
        } else {
            DispatchQueue.concurrentPerform(iterations: tasks) { task in
                for item in stride(from: task, to: count, by: tasks) { body(item) }
            }
        }
    }
}

extension WorkPartition {
    /// Runs `attend(head, p)` for each of `heads` heads, spread over the tasks like
    /// ``parallel(over:_:)``: `p` is the head's `[n, n]` slice of `captured` (`[heads, n, n]`) when P
    /// is captured, else the running task's own `[n, n]` scratch in `scratch` (`[threads, n, n]`; the
    /// heads of one task run one after another).
    func eachHead(_ heads: Int, n: Int, capturing: Bool, into captured: inout [Float], scratch: UnsafeMutablePointer<Float>,
                  _ attend: @Sendable (Int, UnsafeMutablePointer<Float>) -> Void) {
        if capturing {
            captured.withUnsafeMutableBufferPointer { p in
                guard let base = p.baseAddress else { return }
                let shared = SharedPointer(base)
                parallel(over: heads) { head in attend(head, shared.pointer + head * n * n) }
            }
        } else {
            let shared = SharedPointer(scratch), tasks = min(threads, heads)
            DispatchQueue.concurrentPerform(iterations: tasks) { task in
                for head in stride(from: task, to: heads, by: tasks) { attend(head, shared.pointer + task * n * n) }
            }
        }
    }
}

/// A raw pointer handed to parallel tasks that write disjoint parts of its memory (the workspaces'
/// row blocks and heads).
struct SharedPointer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    init(_ pointer: UnsafeMutablePointer<Float>) { self.pointer = pointer }
}
