/// The places of one decoder layer's weights in a float32 layer buffer. All linear maps are held
/// `[out, in]` and applied as `y = x Wᵀ + b` (GPT-2's `[in, out]` Conv1D weights are transposed
/// while converting).
enum LayerSlot: CaseIterable {
    /// `[h]` γ and β of the norm before attention (β only for LayerNorm).
    case attentionNormWeight, attentionNormBias
    /// `[(H + 2G)·d, h]` rows of q, then k, then v; and its `[(H + 2G)·d]` bias.
    case queryKeyValueWeight, queryKeyValueBias
    /// `[d]` γ of the per-head q and k RMSNorm (Qwen3).
    case queryNorm, keyNorm
    /// `[h, H·d]` attention output projection and its `[h]` bias.
    case outputWeight, outputBias
    /// `[h]` γ and β of the norm before the feed-forward block.
    case feedForwardNormWeight, feedForwardNormBias
    /// `[U, h]` with U = 2I (gate rows, then up rows) for SwiGLU, else I; and its `[U]` bias.
    case upWeight, upBias
    /// `[h, I]` down projection and its `[h]` bias.
    case downWeight, downBias
}

/// Element ranges of every ``LayerSlot`` in one layer buffer.
struct LayerLayout: Sendable {
    let ranges: [LayerSlot: Range<Int>]
    let count: Int

    init(_ c: DecoderConfiguration) {
        let h = c.hiddenSize, d = c.headDimension, inner = c.intermediateSize
        let up = c.gatedFeedForward ? 2 * inner : inner
        let sizes: [LayerSlot: Int] = [
            .attentionNormWeight: h, .attentionNormBias: h,
            .queryKeyValueWeight: c.queryKeyValueWidth * h, .queryKeyValueBias: c.queryKeyValueWidth,
            .queryNorm: d, .keyNorm: d, .outputWeight: h * c.headCount * d, .outputBias: h,
            .feedForwardNormWeight: h, .feedForwardNormBias: h,
            .upWeight: up * h, .upBias: up, .downWeight: h * inner, .downBias: h,
        ]
        var offset = 0
        var ranges: [LayerSlot: Range<Int>] = [:]
        for slot in LayerSlot.allCases {
            let size = sizes[slot] ?? 0
            ranges[slot] = offset..<(offset + size)
            offset += size
        }
        self.ranges = ranges
        count = offset
    }

    func range(_ slot: LayerSlot) -> Range<Int> { ranges[slot] ?? 0..<0 }
}

/// A checkpoint tensor a family needs, by its canonical name (see each family's `canonicalName`).
struct TensorPart: Sendable {
    let name: String
    /// The shape as stored in the checkpoint.
    let shape: [Int]
    /// Stored `[in, out]` (Conv1D); written transposed into its slot.
    var transposed = false
}

/// Which checkpoint tensors a family's decoder reads, and where each layer's go. A slot the plan
/// leaves out (an absent bias) is zero; the family's configuration decides which slots exist.
struct DecoderTensorPlan: Sendable {
    /// `[vocab, h]`.
    let embedding: TensorPart
    /// `[max_positions, h]` learned positions (GPT-2), else `nil`.
    let positions: TensorPart?
    /// `[h]` final norm γ and, for LayerNorm, β.
    let finalNormWeight: TensorPart
    let finalNormBias: TensorPart?
    /// Per layer: the slots and the tensors concatenated into each (e.g. q, k, v into one).
    let layers: [[(slot: LayerSlot, parts: [TensorPart])]]
}

/// A needed tensor found in the checkpoint.
struct ResolvedTensor: Sendable {
    let file: SafeTensors
    let key: String
    let part: TensorPart
    var count: Int { part.shape.reduce(1, *) }
}

/// The decoder's view of a checkpoint: every tensor of the plan located, shape- and dtype-checked
/// at load. When all layers fit in ``residentLimit`` bytes as float32 they are converted once
/// (``resident``); larger checkpoints stay in their file's dtype and ``load(layer:into:scratch:)``
/// converts one layer per use into a buffer of the forward pass, so a pass holds one layer in
/// float32, not the model. ``embed(_:into:)`` reads only the embedding rows of the input tokens.
struct DecoderWeights: Sendable {
    let configuration: DecoderConfiguration
    let layout: LayerLayout
    let embedding: ResolvedTensor
    let positions: ResolvedTensor?
    /// `[h]`, converted once (small).
    let finalNormWeight: WeightBuffer
    let finalNormBias: WeightBuffer?
    let layers: [[(slot: LayerSlot, tensors: [ResolvedTensor])]]
    /// Largest transposed part, for the conversion scratch.
    let largestTransposed: Int
    /// Whether ``load(layer:into:scratch:)`` releases a layer's mapped pages after converting it:
    /// for checkpoints above ``releaseThreshold`` bytes, so that resident memory stays near one
    /// layer in float32 plus one in the file's dtype. Smaller ones keep their pages (re-faulting
    /// them every forward pass would cost time for no memory worth saving).
    let releasesPages: Bool
    /// 1 GiB.
    static let releaseThreshold = 1 << 30
    /// Every layer in float32 (``LayerLayout``), or `nil` when the layers are converted per pass.
    private(set) var resident: [WeightBuffer]?
    /// Float32 bytes of all layers up to which they are kept converted: 1 GiB (GPT-2 small is 0.3 GiB),
    /// so small models pay no conversion per pass and large ones never hold more than a layer.
    static let residentLimit = 1 << 30

    /// - Parameters:
    ///   - canonicalName: the family's key renaming (`nil` for tensors it ignores).
    ///   - residentLimit: float32 bytes of all layers up to which they are converted once (tests pass 0 to stream).
    init(checkpoint: Checkpoint, configuration c: DecoderConfiguration, plan: DecoderTensorPlan,
         canonicalName: (String) -> String?, residentLimit: Int = DecoderWeights.residentLimit) throws(TransformerError) {
        configuration = c
        layout = LayerLayout(c)
        var index: [String: String] = [:]
        for key in checkpoint.tensorNames {
            guard let name = canonicalName(key) else { continue }
            if index[name] != nil {
                throw .duplicateTensor(file: checkpoint.directory.path, tensor: name)
            }
            index[name] = key
        }
        func resolve(_ part: TensorPart) throws(TransformerError) -> ResolvedTensor {
            guard let key = index[part.name], let file = checkpoint.file(holding: key), let entry = file.entry(key) else {
                throw .missingTensor(file: checkpoint.directory.path, tensor: part.name, expectedShape: part.shape)
            }
            guard entry.shape == part.shape else {
                throw .shapeMismatch(file: file.url.path, tensor: key, expected: part.shape, found: entry.shape)
            }
            switch entry.dtype {
            case .f32, .f16, .bf16, .f64: break
            default: throw .unsupportedDType(file: file.url.path, tensor: key, dtype: entry.dtype.rawValue)
            }
            if let declared = c.declaredDType, declared != entry.dtype.rawValue {
                throw .dtypeMismatch(file: file.url.path, tensor: key, declared: declared, found: entry.dtype.rawValue)
            }
            return ResolvedTensor(file: file, key: key, part: part)
        }
        func small(_ part: TensorPart) throws(TransformerError) -> WeightBuffer {
            let tensor = try resolve(part)
            return WeightBuffer(try tensor.file.floats(tensor.key))
        }
        embedding = try resolve(plan.embedding)
        positions = try plan.positions.map { part throws(TransformerError) in try resolve(part) }
        finalNormWeight = try small(plan.finalNormWeight)
        finalNormBias = try plan.finalNormBias.map { part throws(TransformerError) in try small(part) }
        var layers: [[(slot: LayerSlot, tensors: [ResolvedTensor])]] = []
        var largest = 0
        for layerPlan in plan.layers {
            var slots: [(slot: LayerSlot, tensors: [ResolvedTensor])] = []
            for (slot, parts) in layerPlan {
                var tensors: [ResolvedTensor] = []
                for part in parts {
                    let tensor = try resolve(part)
                    if part.transposed { largest = max(largest, tensor.count) }
                    tensors.append(tensor)
                }
                precondition(tensors.reduce(0) { $0 + $1.count } == layout.range(slot).count, "plan does not fill \(slot)")
                slots.append((slot, tensors))
            }
            layers.append(slots)
        }
        self.layers = layers
        largestTransposed = largest
        let bytes = layers.joined().flatMap(\.tensors).reduce(0) { total, tensor in
            total + (tensor.file.entry(tensor.key).map { $0.byteRange.count } ?? 0)
        }
        releasesPages = bytes > Self.releaseThreshold
        resident = nil
        if layout.count * 4 * layers.count <= residentLimit {
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: max(1, largest))
            defer { scratch.deallocate() }
            var converted: [WeightBuffer] = []
            for index in 0..<layers.count {
                converted.append(try WeightBuffer(count: layout.count) { (buffer) throws(TransformerError) in
                    try load(layer: index, into: buffer, scratch: scratch)
                })
                // The float32 copy is what is used from now on; the file's pages need not stay resident.
                for tensor in layers[index].flatMap(\.tensors) { tensor.file.releasePages(of: tensor.key) }
            }
            resident = converted
        }
    }

    /// Converts layer `index` into `buffer` (``LayerLayout/count`` floats); slots the plan leaves
    /// out are zeroed. `scratch` holds ``largestTransposed`` floats.
    func load(layer index: Int, into buffer: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) throws(TransformerError) {
        buffer.update(repeating: 0, count: layout.count)
        for (slot, tensors) in layers[index] {
            var target = buffer + layout.range(slot).lowerBound
            for tensor in tensors {
                if tensor.part.transposed {
                    // Stored [in, out]: element (i, o) goes to row o, column i.
                    let rows = tensor.part.shape[0], columns = tensor.part.shape[1]
                    try tensor.file.read(tensor.key, into: scratch)
                    for i in 0..<rows {
                        for o in 0..<columns { target[o * rows + i] = scratch[i * columns + o] }
                    }
                } else {
                    try tensor.file.read(tensor.key, into: target)
                }
                if releasesPages { tensor.file.releasePages(of: tensor.key) }
                target += tensor.count
            }
        }
    }

    /// `X⁰[i] = E_tok[t_i] (+ E_pos[i])` into `output` `[n, h]`; ids are checked by the caller.
    func embed(_ ids: [Int32], into output: UnsafeMutablePointer<Float>) throws(TransformerError) {
        let h = configuration.hiddenSize
        for (i, id) in ids.enumerated() {
            let row = Int(id) * h
            try embedding.file.read(embedding.key, elements: row..<(row + h), into: output + i * h)
        }
        guard let positions else { return }
        let position = UnsafeMutablePointer<Float>.allocate(capacity: h)
        defer { position.deallocate() }
        for i in 0..<ids.count {
            try positions.file.read(positions.key, elements: (i * h)..<((i + 1) * h), into: position)
            let row = output + i * h
            for j in 0..<h { row[j] += position[j] }
        }
    }
}
