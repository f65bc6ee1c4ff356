import SigflowFuzzing

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    FuzzBodies.tlsStreams(UnsafeRawBufferPointer(start: start, count: count))
    return 0
}
