// Multi-node runs that must not start: nodes with different settings all stop with one message
// naming each difference (no rank ends by a signal); the rendezvous store listens on exactly the
// --master address (or --bind), checked with ss(8), and closes a connection that does not greet
// like a vwb node; a rendezvous timeout prints its message without a C++ stack trace.
#include <QProcess>
#include <QtTest>

#include <arpa/inet.h>
#include <cerrno>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "FreePort.h"
#include "TestSupport.h"

namespace {

QStringList trainArgs(const QString& data, const QString& out, const QString& base = "4",
                      const QString& patch = "16") {
  return {"train", "--data", data, "--out", out, "--levels", "2", "--base-channels", base,
          "--patch", patch, "--batch", "1", "--epochs", "1", "--steps-per-epoch", "2",
          "--val-fraction", "0", "--workers", "1", "--threads", "1", "--strategy", "ddp", "--seed", "5"};
}

QStringList nodeArgs(int rank, int port, int timeout) {
  return {"--devices", "cpu", "--nnodes", "2", "--node-rank", QString::number(rank), "--master",
          QString("127.0.0.1:%1").arg(port), "--timeout", QString::number(timeout)};
}

struct Ended {
  QProcess::ExitStatus status;
  int code;
  QString err;
};

Ended finish(QProcess& p) {
  p.waitForFinished(vwbtest::kLastResortMs);
  return {p.exitStatus(), p.exitCode(), QString::fromUtf8(p.readAllStandardError())};
}

// The listening sockets on `port` as ss prints them ("127.0.0.1:29517"), one per line.
QStringList listeners(int port) {
  auto r = vwbtest::run("ss", {"-ltnH", QString("sport = :%1").arg(port)});
  QStringList out;
  for (const QString& line : r.out.split('\n', Qt::SkipEmptyParts)) {
    const QStringList cols = line.simplified().split(' ');
    if (cols.size() >= 4) out << cols[3];
  }
  return out;
}

bool hasStackTrace(const QString& text) {
  return text.contains("frame #") || text.contains("Exception raised from");
}

}  // namespace

class TestDistributedGuards : public QObject {
  Q_OBJECT
  QTemporaryDir dir_ = vwbtest::scratchDir();
  QString data_;

  // Node 1 with base channels / patch of its own: both nodes end normally with exit 1, saying `what`.
  void expectDisagreement(const QString& base1, const QString& patch1, const QString& what) {
    const int port = vwbtest::freePort();
    QProcess n0, n1;
    n0.start(vwbtest::vwbExe(), trainArgs(data_, dir_.path() + "/d0-" + QString::number(port)) +
                                    nodeArgs(0, port, 60));
    n1.start(vwbtest::vwbExe(), trainArgs(data_, dir_.path() + "/d1-" + QString::number(port), base1, patch1) +
                                    nodeArgs(1, port, 60));
    QVERIFY(n0.waitForStarted() && n1.waitForStarted());
    const Ended e0 = finish(n0), e1 = finish(n1);
    for (const Ended& e : {e0, e1}) {
      QCOMPARE(e.status, QProcess::NormalExit);  // not SIGABRT from Gloo
      QCOMPARE(e.code, 1);
      QVERIFY2(e.err.contains("the nodes disagree on settings") && e.err.contains(what), qPrintable(e.err));
      QVERIFY2(!hasStackTrace(e.err), qPrintable(e.err));
    }
  }

 private Q_SLOTS:
  void initTestCase() {
    if (vwbtest::run("ss", {"-V"}).exitCode != 0) QSKIP("ss (iproute2) is not installed");
    data_ = dir_.path() + "/data";
    auto r = vwbtest::run(vwbtest::vwbExe(), {"synth", "--out", data_, "--train", "2", "--test", "0", "--size", "32"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
  }

  void differentBaseChannelsStopEveryNode() {
    expectDisagreement("8", "16",
                       "node 1 has model.base_channels=8, node 0 has model.base_channels=4");
  }

  void differentPatchesStopEveryNode() {
    expectDisagreement("4", "32", "node 1 has patch=32, node 0 has patch=16");
  }

  // Alone, node 0 listens on exactly 127.0.0.1:port (not *:port, not [::]:port); a client that
  // does not greet is refused; node 1 never comes, so node 0 stops at the timeout with a message.
  void storeListensOnTheMasterAddressOnly() {
    const int port = vwbtest::freePort();
    QProcess n0;
    n0.start(vwbtest::vwbExe(), trainArgs(data_, dir_.path() + "/alone") + nodeArgs(0, port, 8));
    QVERIFY(n0.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(!listeners(port).isEmpty(), vwbtest::kLastResortMs);
    QCOMPARE(listeners(port), QStringList{QString("127.0.0.1:%1").arg(port)});

    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(uint16_t(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    QCOMPARE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    const char hostile[] = "GET / HTTP/1.0\r\n\r\n";
    QVERIFY(::send(fd, hostile, sizeof hostile - 1, MSG_NOSIGNAL) > 0);
    char reply[64];
    // Closed without an answer: an orderly end, or a reset (the rest of the request was unread).
    const ssize_t got = ::recv(fd, reply, sizeof reply, 0);
    QVERIFY2(got == 0 || (got < 0 && errno == ECONNRESET), qPrintable(QString::number(got)));
    ::close(fd);

    const Ended e = finish(n0);
    QCOMPARE(e.status, QProcess::NormalExit);
    QCOMPARE(e.code, 1);
    QVERIFY2(e.err.contains("refused a connection from 127.0.0.1:"), qPrintable(e.err));
    QVERIFY2(e.err.contains("node 1 did not join the rendezvous"), qPrintable(e.err));
    QVERIFY2(!hasStackTrace(e.err), qPrintable(e.err));
  }

  // --bind names the address explicitly (127.0.0.2 is loopback too on Linux).
  void bindChoosesTheListeningAddress() {
    const int port = vwbtest::freePort();
    QProcess n0;
    n0.start(vwbtest::vwbExe(), trainArgs(data_, dir_.path() + "/bound") + nodeArgs(0, port, 4) +
                                    QStringList{"--bind", "127.0.0.2"});
    QVERIFY(n0.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(!listeners(port).isEmpty() || n0.state() == QProcess::NotRunning, vwbtest::kLastResortMs);
    QCOMPARE(listeners(port), QStringList{QString("127.0.0.2:%1").arg(port)});
    const Ended e = finish(n0);
    QCOMPARE(e.code, 1);  // it cannot reach its own store at 127.0.0.1: the message says so
    QVERIFY2(e.err.contains("no rendezvous store answers at 127.0.0.1:"), qPrintable(e.err));
    QVERIFY2(!hasStackTrace(e.err), qPrintable(e.err));
  }

  // Node 1 alone: no store at the master address; the timeout is a message, not a trace.
  void connectTimeoutIsAMessage() {
    const int port = vwbtest::freePort();
    auto r = vwbtest::run(vwbtest::vwbExe(), trainArgs(data_, dir_.path() + "/lonely") + nodeArgs(1, port, 2));
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("no rendezvous store answers at 127.0.0.1:" + QString::number(port)), qPrintable(r.err));
    QVERIFY2(!hasStackTrace(r.err), qPrintable(r.err));
  }
};

QTEST_GUILESS_MAIN(TestDistributedGuards)
#include "TestDistributedGuards.moc"
