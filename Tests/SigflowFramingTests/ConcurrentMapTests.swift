import SigflowCore
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite struct ConcurrentMapTests {
    /// Same results in the same order as `map`, for counts below, at and above what is worth
    /// sharing, with reference-counted results (strings and arrays built on the worker threads).
    @Test(arguments: [0, 1, 3, 4, 7, 8, 9, 100, 5_000])
    func resultsMatchMapInOrder(count: Int) {
        let input = (0..<count).map { "element \($0)" }
        func transform(_ text: String) -> [String] {
            // Uneven work, so the threads finish their claims out of order.
            let repeats = text.hashValue & 7
            return (0...repeats).map { "\(text) #\($0)" }
        }
        #expect(input.concurrentMap(transform) == input.map(transform))
    }

    /// With a second core, a slow map is shared: elements run on more than one thread.
    @Test(.enabled(if: BackgroundThread.coreCount > 1, "one core: concurrentMap runs on the calling thread"))
    func slowElementsAreShared() {
        // Each element takes a millisecond, so the helper thread is up long before the work is done.
        let threads = Array(0..<64).concurrentMap { _ in
            usleep(1_000)
            return pthreadID()
        }
        #expect(Set(threads).count > 1)
    }
}

private func pthreadID() -> UInt {
    #if canImport(Darwin)
        return UInt(bitPattern: pthread_self())
    #else
        return UInt(pthread_self())
    #endif
}
