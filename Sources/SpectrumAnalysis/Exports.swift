// `import SpectrumAnalysis` is enough for a tool built on the toolkit: the modules whose types appear
// in its API come with it (docs/ARCHITECTURE.md lists what each one holds).
@_exported import Corpus
@_exported import HDF5Store
@_exported import LinearAlgebra
@_exported import RunFormat
@_exported import SpectrumMetrics
@_exported import Tokenizers
@_exported import Transformer
