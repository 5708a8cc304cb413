// The wizard as a new user walks it, with real mouse and key events: a what-if round trip
// leaves nothing of the assumed hardware behind; "Reset to the plan" and "Let the planner
// choose" drop the user's values; a what-if plan cannot start and says why before Start is
// pressed, yet exports its config and a command line; typing into a spin box keeps every
// keystroke and the focus.
#include <QAbstractButton>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSpinBox>
#include <QtTest>

#include "TestSupport.h"

#include "FakeEngine.h"
#include "ui/common/WorkbenchContext.h"
#include "ui/main/MainWindow.h"
#include "ui/wizard/DecisionTreeView.h"
#include "ui/wizard/HardwarePage.h"
#include "ui/wizard/MemoryBar.h"
#include "ui/wizard/ReviewPage.h"
#include "ui/wizard/SetupWizard.h"
#include "ui/wizard/StrategyPage.h"
#include "ui/wizard/TrainingSettingsPage.h"

using namespace vwb;
using namespace vwb::ui;

namespace {
// The wizard inside the main window, as the app shows it, with an active window so that key
// events go where the focus is.
struct Walk {
  std::shared_ptr<vwbtest::FakeEngine> engine = std::make_shared<vwbtest::FakeEngine>();
  WorkbenchContext context{engine};
  MainWindow window{context};
  SetupWizard* wizard = window.wizard();

  explicit Walk(int gpus) {
    engine->inventory = vwbtest::fakeInventory(gpus);
    context.setDataset(vwbtest::fakeDataset("/data/scrolls"), vwbtest::fakeFingerprint());
    window.resize(1280, 860);
    window.show();
    window.activateWindow();
    active = QTest::qWaitForWindowActive(&window);
    window.showPage("wizard");
  }
  bool active = false;
  void goTo(int id) {
    while (wizard->currentId() < id) QTest::mouseClick(wizard->button(QWizard::NextButton), Qt::LeftButton);
    while (wizard->currentId() > id) QTest::mouseClick(wizard->button(QWizard::BackButton), Qt::LeftButton);
  }
  // Types into whatever has the focus, one key at a time, as a keyboard does.
  static void type(const QString& text) {
    for (QChar ch : text) {
      if (!QApplication::focusWidget()) QFAIL("no widget has the focus: the keystroke would be lost");
      QTest::keyClick(QApplication::focusWidget(), ch.toLatin1());
    }
  }
  static void click(QWidget* w) { QTest::mouseClick(w, Qt::LeftButton, {}, QPoint(8, w->height() / 2)); }
  // Click into a spin box, select its text, type a value, press Enter.
  static void enter(QAbstractSpinBox* box, const QString& text) {
    QTest::mouseClick(box, Qt::LeftButton, {}, QPoint(10, box->height() / 2));
    if (!QApplication::focusWidget()) QFAIL("clicking the field did not focus it");
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_A, Qt::ControlModifier);
    type(text);
    if (!QApplication::focusWidget()) QFAIL("the field lost the focus while typing");
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return);
  }
  void assumeGpus(const QString& spec) {
    HardwarePage* hw = wizard->hardwarePage();
    QTest::mouseClick(hw->whatIfBox(), Qt::LeftButton, {}, QPoint(8, hw->whatIfBox()->height() / 2));
    QVERIFY(hw->whatIfBox()->isChecked());
    QTest::mouseDClick(hw->specEdit(), Qt::LeftButton);
    QTest::keyClick(hw->specEdit(), Qt::Key_A, Qt::ControlModifier);
    QTest::keyClicks(hw->specEdit(), spec);
    QTest::keyClick(hw->specEdit(), Qt::Key_Return);
  }
  QRadioButton* strategyButton(const QString& prefix) const {
    // A re-plan replaces the buttons: the old ones go (deleteLater), the new ones show (queued).
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    QCoreApplication::processEvents();
    for (QRadioButton* r : wizard->strategyPage()->findChildren<QRadioButton*>())
      if (r->isVisible() && r->text().startsWith(prefix)) return r;
    return nullptr;
  }
};

bool holdsFocus(QWidget* w) {
  QWidget* f = QApplication::focusWidget();
  return f && (f == w || w->isAncestorOf(f));
}
}  // namespace

class TestWizardWalk : public QObject {
  Q_OBJECT
  QTemporaryDir settingsDir_;
 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir_.path());  // no leaks between runs
  }

  void whatIfRoundTripLeavesNoStaleState() {
    Walk w(0);
    QVERIFY(w.active);
    w.goTo(SetupWizard::HardwarePageId);
    w.assumeGpus("2x16");
    QVERIFY(w.wizard->hardware().assumed);
    QCOMPARE(int(w.wizard->hardware().gpus.size()), 2);
    // The user steers the what-if plan: DataParallel, batch 20, patch 96, a precision.
    w.goTo(SetupWizard::StrategyPageId);
    QRadioButton* dp = w.strategyButton("DataParallel");
    QVERIFY(dp);
    QTest::mouseClick(dp, Qt::LeftButton, {}, QPoint(8, dp->height() / 2));
    QCOMPARE(w.wizard->plan().config.distributed.strategy, StrategyKind::DataParallel);
    w.goTo(SetupWizard::SettingsPageId);
    TrainingSettingsPage* settings = w.wizard->settingsPage();
    Walk::enter(settings->batchBox(), "20");
    Walk::enter(settings->patchBox(), "96");
    settings->ampBox()->setFocus();
    QTest::keyClick(settings->ampBox(), Qt::Key_Down);
    QTest::keyClick(settings->ampBox(), Qt::Key_Up);  // an explicit choice of the same precision
    QVERIFY(w.wizard->constraints().amp.has_value());
    QCOMPARE(w.wizard->plan().config.data.batchPerDevice, 20);
    QCOMPARE(w.wizard->plan().config.data.patch, 96);

    // Back to this machine: every page shows the plan for it, none of the choices made for T4s.
    w.goTo(SetupWizard::HardwarePageId);
    Walk::click(w.wizard->hardwarePage()->whatIfBox());
    QVERIFY(!w.wizard->hardwarePage()->whatIfBox()->isChecked());
    QVERIFY(!w.wizard->hardware().assumed);
    QVERIFY2(w.wizard->hasPlan(), qPrintable(w.wizard->planError()));
    QVERIFY(w.wizard->planError().isEmpty());
    QVERIFY(!w.wizard->hardwarePage()->noticeText().isEmpty());  // says what was reset
    const UserConstraints& c = w.wizard->constraints();
    QVERIFY(!c.strategy && !c.batchPerDevice && !c.patch && !c.amp);
    const Plan mine = w.engine->makePlan(w.engine->inventory, vwbtest::fakeFingerprint(), c);
    QCOMPARE(w.wizard->plan().config.distributed.strategy, mine.config.distributed.strategy);
    QCOMPARE(w.wizard->plan().config.data.batchPerDevice, mine.config.data.batchPerDevice);
    w.goTo(SetupWizard::StrategyPageId);
    const QString tree = w.wizard->strategyPage()->tree()->describe().join("\n");
    QVERIFY2(!tree.contains("Tesla T4") && !tree.contains("* DataParallel"), qPrintable(tree));
    QVERIFY(w.wizard->strategyPage()->warningText().isEmpty() || !w.wizard->strategyPage()->warningText().contains("fp16"));
    w.goTo(SetupWizard::SettingsPageId);
    QCOMPARE(settings->batchBox()->value(), mine.config.data.batchPerDevice);
    QCOMPARE(settings->patchBox()->value(), mine.config.data.patch);
    QCOMPARE(int(settings->memoryBars().size()), int(mine.budgets.size()));
    QVERIFY(!settings->reasonsText().contains("Set with"));
  }

  void resetAndLetThePlannerChoose() {
    Walk w(2);
    QVERIFY(w.active);
    w.goTo(SetupWizard::SettingsPageId);
    const Plan planners = w.wizard->plan();
    TrainingSettingsPage* settings = w.wizard->settingsPage();
    Walk::enter(settings->batchBox(), "3");
    QCOMPARE(w.wizard->plan().config.data.batchPerDevice, 3);
#if VWB_HAVE_PLAN
    // The reason names what the user chose and what the plan would choose, not "Set with --batch".
    const QString reasons = settings->reasonsText();
    QVERIFY2(reasons.contains("You chose 3 ") && reasons.contains(QString("the plan would choose %1 ").arg(planners.config.data.batchPerDevice)),
             qPrintable(reasons));
    QVERIFY(!reasons.contains("Set with"));
#endif
    QTest::mouseClick(settings->resetButton(), Qt::LeftButton);
    QVERIFY(!w.wizard->constraints().batchPerDevice);
    QCOMPARE(settings->batchBox()->value(), planners.config.data.batchPerDevice);

    // Forcing DataParallel does not make it "recommended" nor change its estimate.
    w.goTo(SetupWizard::StrategyPageId);
    QRadioButton* dp = w.strategyButton("DataParallel");
    QVERIFY(dp);
    const QString dpBefore = dp->text();
    QTest::mouseClick(dp, Qt::LeftButton, {}, QPoint(8, dp->height() / 2));
    QCOMPARE(w.wizard->plan().config.distributed.strategy, StrategyKind::DataParallel);
    dp = w.strategyButton("DataParallel");
    QVERIFY(dp && dp->isChecked());
    QCOMPARE(dp->text(), dpBefore);
    w.goTo(SetupWizard::SettingsPageId);
    Walk::enter(settings->batchBox(), "3");
    w.goTo(SetupWizard::StrategyPageId);
    auto* letChoose = w.wizard->strategyPage()->findChild<QPushButton*>("letPlannerChoose");
    QVERIFY(letChoose);
    QTest::mouseClick(letChoose, Qt::LeftButton);
    QVERIFY(!w.wizard->constraints().strategy && !w.wizard->constraints().batchPerDevice);
    QCOMPARE(w.wizard->plan().config.distributed.strategy, planners.config.distributed.strategy);
    QCOMPARE(w.wizard->plan().config.data.batchPerDevice, planners.config.data.batchPerDevice);
  }

  void whatIfCannotStartButExports() {
    Walk w(0);
    QVERIFY(w.active);
    w.goTo(SetupWizard::HardwarePageId);
    w.assumeGpus("2x16");
    w.goTo(SetupWizard::ReviewPageId);
    ReviewPage* review = w.wizard->reviewPage();
    QAbstractButton* start = w.wizard->button(QWizard::FinishButton);
    QVERIFY(!start->isEnabled());
    QVERIFY2(review->blockerText().contains("assumed hardware"), qPrintable(review->blockerText()));
    QSignalSpy started(w.wizard, &SetupWizard::startRequested);
    QTest::mouseClick(start, Qt::LeftButton);
    QCOMPARE(started.size(), 0);
    QCOMPARE(w.wizard->currentId(), int(SetupWizard::ReviewPageId));  // no jump back to page 1

    QTemporaryDir dir;
    const QString path = dir.filePath("t4 plan.json");
    QVERIFY2(review->saveConfig(path), qPrintable(review->errorText()));
    QFile saved(path);
    QVERIFY(saved.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(saved.readAll()).trimmed(), review->configText().trimmed());
    QVERIFY(review->configText().contains("\"ddp\""));
    const QString cmd = review->commandLine();
    QVERIFY2(cmd.startsWith("vwb train --config '" + path + "' --data /data/scrolls --out "), qPrintable(cmd));
    QVERIFY(review->copyButton()->isEnabled());

    // Planned for this machine again, Start is allowed and the reason is gone.
    w.goTo(SetupWizard::HardwarePageId);
    Walk::click(w.wizard->hardwarePage()->whatIfBox());
    w.goTo(SetupWizard::ReviewPageId);
    QVERIFY(start->isEnabled());
    QVERIFY(review->blockerText().isEmpty());
  }

  void typingKeepsKeystrokesAndFocus() {
    Walk w(1);
    QVERIFY(w.active);
    w.goTo(SetupWizard::SettingsPageId);
    QSpinBox* batch = w.wizard->settingsPage()->batchBox();
    const int plansBefore = w.engine->plans;
    Walk::enter(batch, "32");
    QCOMPARE(batch->value(), 32);
    QCOMPARE(w.wizard->plan().config.data.batchPerDevice, 32);
    QVERIFY(w.engine->plans <= plansBefore + 2);  // one re-plan (and its explanation), not one per digit
    QVERIFY2(holdsFocus(batch), QApplication::focusWidget() ? (QApplication::focusWidget()->metaObject()->className() + QString(" ") + QApplication::focusWidget()->objectName() + " on page " + QString::number(w.wizard->currentId())).toUtf8().constData() : "no focus");
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Up);  // arrows step the field, not the page list
    QCOMPARE(w.wizard->plan().config.data.batchPerDevice, 33);
    QVERIFY(holdsFocus(batch));
    QCOMPARE(w.window.currentPageId(), QString("wizard"));
    QCOMPARE(w.wizard->currentId(), int(SetupWizard::SettingsPageId));
    Walk::enter(w.wizard->settingsPage()->patchBox(), "48");
    QCOMPARE(w.wizard->plan().config.data.patch, 48);
    QVERIFY(holdsFocus(w.wizard->settingsPage()->patchBox()));
  }

  // The tree is taller than the page: it scrolls with the wheel, PageDown and a drag.
  void decisionTreeScrolls() {
    Walk w(8);
    QVERIFY(w.active);
    w.window.resize(1100, 640);
    w.goTo(SetupWizard::StrategyPageId);
    DecisionTreeView* tree = w.wizard->strategyPage()->tree();
    auto* area = qobject_cast<QScrollArea*>(tree->parentWidget()->parentWidget());
    QVERIFY(area);
    QTRY_VERIFY_WITH_TIMEOUT(area->verticalScrollBar()->maximum() > 0, vwbtest::kLastResortMs);
    QScrollBar* bar = area->verticalScrollBar();
    QVERIFY2(tree->height() >= tree->heightForWidth(tree->width()), "the whole tree is laid out, not cut off");

    const QPoint at(tree->width() - 20, 30);  // beside the first reason: no leaf there
    QWheelEvent wheel(QPointF(at), QPointF(tree->mapToGlobal(at)), QPoint(), QPoint(0, -120), Qt::NoButton, Qt::NoModifier,
                      Qt::NoScrollPhase, false);
    QApplication::sendEvent(tree, &wheel);
    QVERIFY(bar->value() > 0);

    bar->setValue(0);
    QTest::mouseClick(tree, Qt::LeftButton, {}, at);
    QVERIFY(tree->hasFocus());
    QTest::keyClick(tree, Qt::Key_PageDown);
    QVERIFY(bar->value() > 0);

    bar->setValue(0);
    const QPoint grab(tree->width() - 20, bar->value() + 200);
    QTest::mousePress(tree, Qt::LeftButton, {}, grab);
    QTest::mouseMove(tree, grab - QPoint(0, 60));
    QTest::mouseRelease(tree, Qt::LeftButton, {}, grab - QPoint(0, 60));
    QCOMPARE(bar->value(), 60);  // the content follows the pointer
  }
};

QTEST_MAIN(TestWizardWalk)
#include "TestWizardWalk.moc"
