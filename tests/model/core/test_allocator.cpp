// mallocAllocator names the allocator that really serves malloc, and in a tcmalloc build every
// allocation the engine makes goes through tcmalloc: LibTorch's CPU tensors (posix_memalign in
// libc10), C++ new and plain malloc, large ones included.
#include "model/core/allocator.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#ifdef LORSA_WITH_TCMALLOC
#include <gperftools/malloc_extension_c.h>
#endif

#include <QtTest>

#include <cstdlib>
#include <memory>

using namespace lorsa;

class TestAllocator : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void namesTheAllocatorThatServesMalloc()
    {
#ifdef LORSA_WITH_TCMALLOC
        QVERIFY2(mallocAllocator().starts_with("tcmalloc 2."), mallocAllocator().c_str());
#else
        QCOMPARE(mallocAllocator(), std::string("glibc malloc"));
#endif
    }

#ifdef LORSA_WITH_TCMALLOC
    void tensorsAndNewComeFromTcmalloc()
    {
        c10::InferenceMode guard;
        const auto owned = [](const void* p) { return MallocExtension_GetOwnership(p) == MallocExtension_kOwned; };
        const auto small = at::empty({16}, at::kFloat);
        const auto large = at::empty({64 << 20}, at::kFloat);  // 256 MiB: glibc would mmap it
        QVERIFY(owned(small.data_ptr()));
        QVERIFY(owned(large.data_ptr()));
        const auto object = std::make_unique<char[]>(1 << 20);
        QVERIFY(owned(object.get()));
        void* block = std::malloc(100 << 20);
        QVERIFY(owned(block));
        std::free(block);
        int local = 0;
        QVERIFY(!owned(&local));  // the check can fail
    }
#endif
};

QTEST_APPLESS_MAIN(TestAllocator)
#include "test_allocator.moc"
