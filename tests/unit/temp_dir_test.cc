// ScopedTempDir (tests/support/temp_dir.h): each test's own directory under
// $TMPDIR, gone with what it holds when the object goes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <utility>

#include "support/temp_dir.h"

namespace newsflow::testing {
namespace {

namespace fs = std::filesystem;

TEST(ScopedTempDirTest, IsOwnDirectoryUnderTmpdirAndGoesWithItsContents) {
  fs::path kept;
  {
    ScopedTempDir a("nf-tempdir-test-"), b("nf-tempdir-test-");
    EXPECT_NE(a.path(), b.path());
    EXPECT_EQ(a.path().parent_path(), fs::temp_directory_path());
    ASSERT_TRUE(fs::is_directory(a.path()));
    fs::create_directories(a / "sub" / "deeper");
    std::ofstream(a / "sub" / "deeper" / "f.txt") << "x";
    kept = a.path();
  }
  EXPECT_FALSE(fs::exists(kept)) << kept;
}

TEST(ScopedTempDirTest, AMovedFromDirectoryLeavesTheDirectoryToItsNewOwner) {
  fs::path p;
  {
    ScopedTempDir outer("nf-tempdir-test-");
    p = outer.path();
    {
      ScopedTempDir inner(std::move(outer));
      EXPECT_EQ(inner.path(), p);
    }
    EXPECT_FALSE(fs::exists(p)) << "the new owner removed it";
  }
  EXPECT_FALSE(fs::exists(p));
}

}  // namespace
}  // namespace newsflow::testing
