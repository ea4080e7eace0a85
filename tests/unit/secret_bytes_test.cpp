// SecretBytes keeps values out of freed memory and out of core dumps; read_secret_file reads regular
// files only, and never more than one byte past the largest secret.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "base/secret_bytes.hpp"

namespace stackup::testing {
namespace {

namespace fs = std::filesystem;

// The VmFlags of the mapping that holds `address`, from /proc/self/smaps ("rd wr mr mw me ac dd").
std::string vm_flags_of(const void* address) {
  const auto target = reinterpret_cast<std::uintptr_t>(address);
  std::ifstream smaps("/proc/self/smaps");
  bool inside = false;
  for (std::string line; std::getline(smaps, line);) {
    std::uintptr_t start = 0;
    std::uintptr_t end = 0;
    char dash = 0;
    std::istringstream header(line);
    if (header >> std::hex >> start >> dash >> end && dash == '-') {
      inside = start <= target && target < end;
    } else if (inside && line.starts_with("VmFlags:")) {
      return line.substr(8) + ' ';
    }
  }
  return {};
}

class TempDirectory {
 public:
  TempDirectory() {
    std::string pattern = (fs::temp_directory_path() / "stackup-secret-bytes-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDirectory() { fs::remove_all(path_); }
  TempDirectory(const TempDirectory&) = delete;
  TempDirectory& operator=(const TempDirectory&) = delete;
  [[nodiscard]] std::string file(const std::string& name, const std::string& content) const {
    const auto path = (fs::path(path_) / name).string();
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
  [[nodiscard]] std::string path(const std::string& name) const { return (fs::path(path_) / name).string(); }

 private:
  std::string path_;
};

TEST(SecretBytes, HoldsAppendsGrowsMovesAndClears) {
  base::SecretBytes value("first");
  EXPECT_EQ(value.view(), "first");
  const std::string big(10000, 'x');  // past a page: the buffer grows and keeps what it held
  value.append(big.data(), big.size());
  EXPECT_EQ(value.size(), 5 + big.size());
  EXPECT_EQ(value.view().substr(0, 6), "firstx");
  base::SecretBytes moved(std::move(value));
  EXPECT_TRUE(value.empty());  // NOLINT(bugprone-use-after-move): a moved-from value is empty
  EXPECT_EQ(moved.size(), 5 + big.size());
  base::SecretBytes assigned("other");
  assigned = std::move(moved);
  EXPECT_EQ(assigned.view().substr(0, 5), "first");
  assigned.clear();
  EXPECT_TRUE(assigned.empty());
  EXPECT_EQ(assigned.data()[0], '\0');  // wiped, not only forgotten
  base::SecretBytes sized;
  sized.resize_uninitialized(3);
  EXPECT_EQ(sized.size(), 3u);
  EXPECT_EQ(base::SecretBytes().data(), nullptr);
}

TEST(SecretBytes, BuffersAreLeftOutOfCoreDumps) {
  base::SecretBytes value("core dumps must not hold this");
  EXPECT_NE(vm_flags_of(value.data()).find(" dd "), std::string::npos) << vm_flags_of(value.data());
  const std::string big(3 * 4096, 'x');
  value.append(big.data(), big.size());  // a grown buffer is marked too
  EXPECT_NE(vm_flags_of(value.data()).find(" dd "), std::string::npos) << vm_flags_of(value.data());
  EXPECT_NE(vm_flags_of(value.data() + value.size() - 1).find(" dd "), std::string::npos);
}

TEST(ReadSecretFile, ReadsARegularFileAndFollowsSymbolicLinks) {
  const TempDirectory directory;
  const auto path = directory.file("token", "s3cret\n");
  fs::create_symlink(path, directory.path("link"));
  for (const auto& name : {path, directory.path("link")}) {
    const auto value = base::read_secret_file(name);
    ASSERT_TRUE(value) << value.error().message;
    EXPECT_EQ(value->view(), "s3cret\n");
  }
}

TEST(ReadSecretFile, RefusesWhatIsNotARegularFileBeforeReadingIt) {
  const TempDirectory directory;
  const auto fifo = directory.path("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // A FIFO with no writer would block a plain open; /dev/zero would be read without end.
  EXPECT_EQ(base::read_secret_file(fifo).error().message, "is not a regular file");
  EXPECT_EQ(base::read_secret_file("/dev/zero").error().message, "is not a regular file");
  EXPECT_EQ(base::read_secret_file(directory.path("")).error().message, "is a directory, not a regular file");
  EXPECT_EQ(base::read_secret_file(directory.path("missing")).error().message, "No such file or directory");
}

TEST(ReadSecret, ReadsOneByteBeyondTheLargestSecretAndNoFurther) {
  const TempDirectory directory;
  const auto largest = directory.file("largest", std::string(base::max_secret_size, 'x'));
  ASSERT_TRUE(base::read_secret_file(largest));
  const auto huge = directory.file("huge", std::string(3 * base::max_secret_size, 'x'));
  const int fd = ::open(huge.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  const auto value = base::read_secret(fd);
  EXPECT_EQ(::lseek(fd, 0, SEEK_CUR), static_cast<off_t>(base::max_secret_size + 1));
  ::close(fd);
  ASSERT_FALSE(value);
  EXPECT_EQ(value.error().message, base::secret_size_message);
  EXPECT_EQ(base::read_secret_file(directory.file("empty", "")).error().message, base::secret_size_message);
}

}  // namespace
}  // namespace stackup::testing
