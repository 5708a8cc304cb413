// Where export and predict may write: never over a device, FIFO, socket or folder (the node is
// left as it was), never over one of their inputs, never inside an input folder.
#include <QtTest>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "TestSupport.h"
#include "engine/core/Error.h"
#include "engine/export/OutputTarget.h"
#include "engine/export/SubmissionWriter.h"
#include "engine/io/TiffVolume.h"

using namespace vwb;
namespace fs = std::filesystem;

namespace {

// test_images/7.tif and a matching pred/7.tif mask; out/ for the outputs.
struct Layout {
  QTemporaryDir dir = vwbtest::scratchDir();
  std::string root = dir.path().toStdString();
  std::string images = root + "/test_images", pred = root + "/pred", out = root + "/out";
  Layout() {
    fs::create_directories(images);
    fs::create_directories(pred);
    fs::create_directories(out);
    VolumeU8 image({4, 5, 6}), mask({4, 5, 6});
    for (size_t i = 0; i < image.size(); ++i) {
      image.data[i] = uint8_t(i * 3);
      mask.data[i] = uint8_t(i % 3 == 0);
    }
    writeVolumeU8(images + "/7.tif", image);
    writeVolumeU8(pred + "/7.tif", mask);
  }
  SubmissionCheck check() const { return checkSubmission(pred, images); }
};

std::string bytesOf(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The message of the vwb::Error that `f` throws ("" when it throws none).
template <typename F>
std::string errorOf(F f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

bool hasParts(const std::string& dir) {
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().find(".parts-") != std::string::npos) return true;
  return false;
}

mode_t typeOf(const std::string& path) {
  struct stat s {};
  return ::lstat(path.c_str(), &s) == 0 ? (s.st_mode & S_IFMT) : 0;
}

}  // namespace

class TestOutputTarget : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  // A character device made here (the same numbers as /dev/null, in a scratch folder): export
  // refuses it and leaves the node a device, with no temporary pieces beside it.
  void exportRefusesADeviceNode() {
    Layout l;
    const std::string node = l.out + "/null";
    if (::mknod(node.c_str(), S_IFCHR | 0666, makedev(1, 3)) != 0)
      QSKIP(qPrintable(QString("mknod needs root (CAP_MKNOD): ") + std::strerror(errno)));
    const std::string e = errorOf([&] { writeSubmission(l.check(), node); });
    QVERIFY2(e.find("character device") != std::string::npos && e.find(node) != std::string::npos,
             e.c_str());
    QCOMPARE(typeOf(node), mode_t(S_IFCHR));
    QVERIFY(!hasParts(l.out));
    // Through a symbolic link too.
    const std::string link = l.out + "/link.zip";
    fs::create_symlink(node, link);
    const std::string viaLink = errorOf([&] { writeSubmission(l.check(), link); });
    QVERIFY2(viaLink.find("link to a character device") != std::string::npos, viaLink.c_str());
    QCOMPARE(typeOf(link), mode_t(S_IFLNK));
    QCOMPARE(typeOf(node), mode_t(S_IFCHR));
  }

  void exportRefusesAFifoASocketAndAFolder() {
    Layout l;
    const std::string fifo = l.out + "/fifo.zip";
    QCOMPARE(::mkfifo(fifo.c_str(), 0644), 0);
    const std::string e = errorOf([&] { writeSubmission(l.check(), fifo); });
    QVERIFY2(e.find("FIFO") != std::string::npos, e.c_str());
    QCOMPARE(typeOf(fifo), mode_t(S_IFIFO));

    const std::string sock = l.out + "/s.zip";
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", sock.c_str());
    const bool bound = sock.size() < sizeof addr.sun_path &&
                       ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    if (bound) {
      const std::string s = errorOf([&] { writeSubmission(l.check(), sock); });
      QVERIFY2(s.find("socket") != std::string::npos, s.c_str());
      QCOMPARE(typeOf(sock), mode_t(S_IFSOCK));
    }
    ::close(fd);

    const std::string folder = l.out + "/sub.zip";
    fs::create_directories(folder);
    const std::string d = errorOf([&] { writeSubmission(l.check(), folder); });
    QVERIFY2(d.find("is a folder") != std::string::npos, d.c_str());
    QVERIFY(fs::is_directory(folder));
    QVERIFY(!hasParts(l.out));
  }

  // The CLI says the same, exits 1 and leaves the FIFO alone (it never opens it: no hang).
  void exportCommandRefusesAFifo() {
    Layout l;
    const std::string fifo = l.out + "/fifo.zip";
    QCOMPARE(::mkfifo(fifo.c_str(), 0644), 0);
    auto r = vwbtest::run(vwbtest::vwbExe(), {"export", "--pred", QString::fromStdString(l.pred), "--images",
                                              QString::fromStdString(l.images), "--out", QString::fromStdString(fifo)});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("FIFO") && r.err.contains("refusing"), qPrintable(r.err));
    QCOMPARE(typeOf(fifo), mode_t(S_IFIFO));
  }

  void exportRefusesItsInputs() {
    Layout l;
    const std::string mask = bytesOf(l.pred + "/7.tif"), image = bytesOf(l.images + "/7.tif");
    // Over a prediction: inside the prediction folder (and one of the inputs).
    std::string e = errorOf([&] { writeSubmission(l.check(), l.pred + "/7.tif"); });
    QVERIFY2(e.find("one of the inputs") != std::string::npos, e.c_str());
    // Over a test image, and over a hard link to it elsewhere.
    e = errorOf([&] { writeSubmission(l.check(), l.images + "/7.tif"); });
    QVERIFY2(e.find("one of the inputs") != std::string::npos, e.c_str());
    fs::create_hard_link(l.images + "/7.tif", l.out + "/hard.zip");
    e = errorOf([&] { writeSubmission(l.check(), l.out + "/hard.zip"); });
    QVERIFY2(e.find("one of the inputs") != std::string::npos, e.c_str());
    // A new file inside the prediction folder, directly or through a link to the folder.
    e = errorOf([&] { writeSubmission(l.check(), l.pred + "/submission.zip"); });
    QVERIFY2(e.find("lies inside the input folder") != std::string::npos, e.c_str());
    fs::create_directory_symlink(l.pred, l.out + "/p");
    e = errorOf([&] { writeSubmission(l.check(), l.out + "/p/submission.zip"); });
    QVERIFY2(e.find("lies inside the input folder") != std::string::npos, e.c_str());
    QVERIFY(bytesOf(l.pred + "/7.tif") == mask);
    QVERIFY(bytesOf(l.images + "/7.tif") == image);
    QVERIFY(!fs::exists(l.pred + "/submission.zip"));
    // A regular file that is no input is replaced as before.
    std::ofstream(l.out + "/old.zip") << "old";
    QVERIFY(writeSubmission(l.check(), l.out + "/old.zip") > 0);
    QVERIFY(bytesOf(l.out + "/old.zip") != "old");
  }

  void exportIntoAMissingFolderSaysItDoesNotExist() {
    Layout l;
    const std::string e = errorOf([&] { writeSubmission(l.check(), l.root + "/nope/s.zip"); });
    QVERIFY2(e.find("does not exist") != std::string::npos, e.c_str());
    QVERIFY2(e.find("not a folder") == std::string::npos, e.c_str());
  }

  void outputFolderMayNotOverlapAnInput() {
    Layout l;
    const std::vector<InputFolder> inputs{{"image folder", l.images, true}};
    QVERIFY(errorOf([&] { checkOutputFolder(l.images, inputs); }).find("output folder is the image folder") != std::string::npos);
    QVERIFY(errorOf([&] { checkOutputFolder(l.images + "/", inputs); }).find(" is the ") != std::string::npos);
    QVERIFY(errorOf([&] { checkOutputFolder(l.images + "/masks", inputs); }).find("lies inside") != std::string::npos);
    QVERIFY(errorOf([&] { checkOutputFolder(l.root, inputs); }).find("contains") != std::string::npos);
    fs::create_directory_symlink(l.images, l.root + "/alias");
    QVERIFY(errorOf([&] { checkOutputFolder(l.root + "/alias", inputs); }).find(" is the ") != std::string::npos);
    QCOMPARE(errorOf([&] { checkOutputFolder(l.out + "/pred", inputs); }), std::string());
    QCOMPARE(errorOf([&] { checkOutputFolder(l.root + "/test_images2", inputs); }), std::string());
    // A checkpoint's folder: only the same folder is refused.
    const std::vector<InputFolder> checkpoint{{"checkpoint's folder", l.out, false}};
    QVERIFY(errorOf([&] { checkOutputFolder(l.out, checkpoint); }).find(" is the checkpoint's folder") != std::string::npos);
    QCOMPARE(errorOf([&] { checkOutputFolder(l.out + "/pred", checkpoint); }), std::string());
    QCOMPARE(errorOf([&] { checkOutputFolder(l.root, checkpoint); }), std::string());
  }

  // vwb predict --images D --out D (and inside, around, or through a link) is refused before
  // anything is read or written; the volume stays as it was.
  void predictRefusesAnOutputOverlappingItsInputs() {
    Layout l;
    const std::string before = bytesOf(l.images + "/7.tif");
    fs::create_directory_symlink(l.images, l.root + "/alias");
    for (const std::string& out : {l.images, l.images + "/masks", l.root, l.root + "/alias"}) {
      auto r = vwbtest::run(vwbtest::vwbExe(), {"predict", "--checkpoint", QString::fromStdString(l.out + "/best.pt"),
                                                "--images", QString::fromStdString(l.images), "--out",
                                                QString::fromStdString(out)});
      QCOMPARE(r.exitCode, 1);
      QVERIFY2(r.err.contains("image folder (--images)") && r.err.contains("choose another --out"),
               qPrintable(r.err));
    }
    QVERIFY(bytesOf(l.images + "/7.tif") == before);
    QVERIFY(!fs::exists(l.images + "/masks"));
    QVERIFY(!fs::exists(l.images + "/prob"));
  }

  // A bad checkpoint fails before the output folder (and its prob/) exist.
  void predictWithABadCheckpointCreatesNoFolder() {
    Layout l;
    const std::string bad = l.out + "/bad.pt";
    std::ofstream(bad) << "not a checkpoint";
    const std::string out = l.root + "/predictions";
    auto r = vwbtest::run(vwbtest::vwbExe(), {"predict", "--checkpoint", QString::fromStdString(bad), "--images",
                                              QString::fromStdString(l.images), "--out", QString::fromStdString(out)});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("bad.pt"), qPrintable(r.err));
    QVERIFY(!fs::exists(out));
    // A missing image folder "does not exist" (not "is not a folder").
    auto m = vwbtest::run(vwbtest::vwbExe(), {"predict", "--checkpoint", QString::fromStdString(bad), "--images",
                                              QString::fromStdString(l.root + "/nope"), "--out", QString::fromStdString(out)});
    QCOMPARE(m.exitCode, 1);
    QVERIFY2(m.err.contains("does not exist"), qPrintable(m.err));
  }
};

QTEST_GUILESS_MAIN(TestOutputTarget)
#include "TestOutputTarget.moc"
