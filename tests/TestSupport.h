#pragma once
// Helpers shared by the tests: scratch folders and running external tools (python3/tifffile).
#include <QDir>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QtTest>

namespace vwbtest {

// The last resort of every wait in the suite. Waits return as soon as their condition holds
// (QSignalSpy::wait, QTRY_*, QProcess::waitForFinished); this bound only ends a wait that would
// otherwise hang, so it is long enough that no load (the stress mode runs the suite with more
// jobs than cores) makes a correct run reach it, and shorter than CTest's per-test timeout.
constexpr int kLastResortMs = 5 * 60 * 1000;

// A fresh scratch folder under the build tree (VWB_TEST_TMP), removed at the end of the test.
inline QTemporaryDir scratchDir() {
  QString base = qEnvironmentVariable("VWB_TEST_TMP", QDir::tempPath());
  QDir().mkpath(base);
  return QTemporaryDir(base + "/vwb-XXXXXX");
}

struct ProcessResult {
  int exitCode = -1;
  QString out, err;
};

// Runs a program and waits for it (at most kLastResortMs). Fails the test if it cannot start.
inline ProcessResult run(const QString& program, const QStringList& args, int timeoutMs = kLastResortMs) {
  QProcess p;
  p.start(program, args);
  ProcessResult r;
  if (!p.waitForStarted()) {
    r.err = "could not start " + program;
    return r;
  }
  p.waitForFinished(timeoutMs);
  r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
  r.out = QString::fromUtf8(p.readAllStandardOutput());
  r.err = QString::fromUtf8(p.readAllStandardError());
  return r;
}

// A failed run in a test message: its exit code and everything it printed.
inline QString why(const ProcessResult& r) { return "exit " + QString::number(r.exitCode) + "\n" + r.out + r.err; }

// Runs a Python snippet with Debian's python3 (tifffile, numpy).
inline ProcessResult python(const QString& code, const QStringList& args = {}) {
  return run(QStringLiteral(VWB_PYTHON), QStringList{"-c", code} + args);
}

inline QString vwbExe() { return QStringLiteral(VWB_BINARY_DIR) + "/app/vwb/vwb"; }

}  // namespace vwbtest
