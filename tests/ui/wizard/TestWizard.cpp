// The setup wizard with fake inventories (0, 1, 2, 8 GPUs): each page shows the planner's
// choice and its reasons; alternatives re-plan; memory bars turn red past the safety margin;
// the what-if hardware goes through assumeGpus; Review shows the config and Start hands it on.
#include <QCheckBox>
#include <QDateTime>
#include <QFileInfo>
#include <QRadioButton>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QSettings>
#include <QtTest>

#include "FakeEngine.h"
#include "ui/common/WorkbenchContext.h"
#include "ui/wizard/DecisionTreeView.h"
#include "ui/wizard/HardwarePage.h"
#include "ui/wizard/MemoryBar.h"
#include "ui/wizard/ReviewPage.h"
#include "ui/wizard/SetupWizard.h"
#include "ui/wizard/StrategyPage.h"
#include "ui/wizard/TrainingSettingsPage.h"
#include "ui/wizard/WizardDataPage.h"

using namespace vwb;
using namespace vwb::ui;

namespace {
struct Fixture {
  std::shared_ptr<vwbtest::FakeEngine> engine = std::make_shared<vwbtest::FakeEngine>();
  WorkbenchContext context{engine};
  std::unique_ptr<SetupWizard> wizard;

  explicit Fixture(int gpus) {
    engine->inventory = vwbtest::fakeInventory(gpus);
    context.setDataset(vwbtest::fakeDataset("/data/scrolls"), vwbtest::fakeFingerprint());
    wizard = std::make_unique<SetupWizard>(context);
    wizard->resize(1000, 750);
    wizard->show();
  }
  void goTo(int pageId) {
    while (wizard->currentId() < pageId) wizard->next();
  }
};

int optionIndex(const Plan& plan, StrategyKind kind) {
  for (int i = 0; i < int(plan.options.size()); ++i)
    if (plan.options[i].kind == kind) return i;
  return -1;
}
}  // namespace

class TestWizard : public QObject {
  Q_OBJECT
  QTemporaryDir settingsDir_;
 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir_.path());  // no leaks between runs
  }

  void showsPlannerChoice_data() {
    QTest::addColumn<int>("gpus");
    QTest::addColumn<int>("expected");
    QTest::newRow("0 GPUs") << 0 << int(StrategyKind::Single);
    QTest::newRow("1 GPU") << 1 << int(StrategyKind::Single);
    QTest::newRow("2 GPUs") << 2 << int(StrategyKind::Ddp);
    QTest::newRow("8 GPUs") << 8 << int(StrategyKind::Ddp);
  }
  void showsPlannerChoice() {
    QFETCH(int, gpus);
    QFETCH(int, expected);
    Fixture f(gpus);
    QVERIFY(f.wizard->dataPage()->isComplete());
    QVERIFY(f.wizard->dataPage()->summaryText().contains("3 train, 1 test"));
    f.goTo(SetupWizard::HardwarePageId);
    QCOMPARE(f.wizard->hardwarePage()->gpuTable()->rowCount(), gpus);
    QVERIFY(f.wizard->hardwarePage()->machineText().contains(QString("%1 GPU(s)").arg(gpus)));
    if (gpus) QCOMPARE(f.wizard->hardwarePage()->gpuTable()->item(0, 1)->text(), QString("Tesla T4"));

    f.goTo(SetupWizard::StrategyPageId);
    QVERIFY(f.wizard->hasPlan());
    const Plan& plan = f.wizard->plan();
    QCOMPARE(int(plan.config.distributed.strategy), expected);
    // The tree shows every step of the planner's path with its reason, and marks the choice.
    const QStringList tree = f.wizard->strategyPage()->tree()->describe();
    QVERIFY(!plan.path.empty());
    for (const DecisionStep& s : plan.path) {
      const QString line = QString::fromStdString(s.question + " -> " + s.answer + " (" + s.reason + ")");
      QVERIFY2(tree.contains(line), qPrintable(line));
    }
    QCOMPARE(tree.filter(QRegularExpression("^\\* ")).size(), 1);
    // Every strategy the planner considered is listed; the chosen one is checked.
    const QStringList options = f.wizard->strategyPage()->optionTexts();
    QCOMPARE(options.size(), int(plan.options.size()));
    QCOMPARE(options.filter(QRegularExpression("^\\* ")).size(), 1);
    QVERIFY(options.filter(QRegularExpression("^\\* ")).at(0).contains(QString::fromStdString(plan.options[0].summary)));
    // The settings page lists the planner's reasons.
    f.goTo(SetupWizard::SettingsPageId);
    for (const std::string& r : plan.reasons)
      QVERIFY2(f.wizard->settingsPage()->reasonsText().contains(QString::fromStdString(r)), r.c_str());
    QCOMPARE(int(f.wizard->settingsPage()->memoryBars().size()), int(plan.budgets.size()));
  }

  // The plan knows the chunk cache's state as the data page shows it: a cached dataset trains
  // without preprocessing first, an uncached one is told how long the first one takes.
  void planSaysWhetherTheCacheIsReady() {
    for (bool cached : {false, true}) {
      Fixture f(0);
      {
        std::lock_guard<std::mutex> lock(f.engine->cacheMutex);
        for (const VolumeEntry& v : f.context.dataset().train)
          if (cached) f.engine->cache[v.id] = CacheState::Cached;
      }
      f.goTo(SetupWizard::StrategyPageId);
      QVERIFY(f.wizard->hasPlan());
      std::string data;
      for (const std::string& r : f.wizard->plan().reasons)
        if (r.rfind("Data: ", 0) == 0) data = r;
      QVERIFY2(!data.empty(), "no data reason");
      QVERIFY2(data.find(cached ? "the cache is up to date" : "a first preprocessing decodes every volume once") !=
                   std::string::npos,
               data.c_str());
    }
  }

  void alternativeStrategyReplans() {
    Fixture f(2);
    f.goTo(SetupWizard::StrategyPageId);
    const int dp = optionIndex(f.wizard->plan(), StrategyKind::DataParallel);
    QVERIFY2(dp >= 0, "the planner offers DataParallel on 2 GPUs");
    const std::string cost = f.wizard->plan().options[dp].cost;
    const int before = f.engine->plans;
    f.wizard->strategyPage()->chooseOption(dp);
    QVERIFY(f.engine->plans > before);  // a forced choice also plans without it, to explain it
    QCOMPARE(f.wizard->plan().config.distributed.strategy, StrategyKind::DataParallel);
    QVERIFY(f.wizard->constraints().strategy.has_value());
    if (!cost.empty())
      QVERIFY(f.wizard->strategyPage()->optionTexts().join("\n").contains(QString::fromStdString(cost)));
    f.wizard->strategyPage()->chooseOption(-1);  // back to the planner's own choice
    QCOMPARE(f.wizard->plan().config.distributed.strategy, StrategyKind::Ddp);
  }

  // Clicking a strategy keeps the list where it was (same order, same words) and no label is
  // cut with "…"; each says its speed against one device.
  void strategyListStaysPutAndWhole() {
    Fixture f(2);
    f.goTo(SetupWizard::StrategyPageId);
    auto texts = [&] {
      QStringList out;
      for (QRadioButton* b : f.wizard->strategyPage()->findChildren<QRadioButton*>())
        if (!b->isHidden()) out << b->text().remove(QStringLiteral("  — recommended"));
      return out;
    };
    const QStringList before = texts();
    QVERIFY(before.size() >= 2);
    for (const QString& t : before) {
      QVERIFY2(!t.contains(QString::fromUtf8("…")), qPrintable(t));
      QVERIFY2(t.contains("the speed of one device"), qPrintable(t));
    }
    for (int round = 0; round < 2; ++round) {
      QRadioButton* other = nullptr;
      for (QRadioButton* b : f.wizard->strategyPage()->findChildren<QRadioButton*>())
        if (!b->isHidden() && !b->isChecked()) other = b;
      QVERIFY(other);
      const QString chosen = other->text();
      QTest::mouseClick(other, Qt::LeftButton, {}, QPoint(6, other->height() / 2));
      // The re-plan rebuilds the list; Qt shows the new buttons from the event loop.
      QTRY_COMPARE(texts(), before);
      bool checked = false;
      for (QRadioButton* b : f.wizard->strategyPage()->findChildren<QRadioButton*>())
        checked = checked || (!b->isHidden() && b->isChecked() && b->text() == chosen);
      QVERIFY2(checked, qPrintable(chosen));
    }
  }

  // Epochs, steps per epoch and the patch come back after a restart, for the same dataset only.
  void lastChoicesComeBackPerDataset() {
    QSettings().clear();  // earlier tests' Starts saved their own choices for this dataset
    int patch = 0;
    {
      Fixture f(1);
      const int planned = int(f.wizard->plan().config.data.patch);
      patch = planned > 32 ? planned - 16 : planned + 16;
      f.wizard->constraints().patch = patch;
      f.wizard->constraints().epochs = 7;
      f.wizard->overrides().stepsPerEpoch = 33;
      f.wizard->replan();
      QCOMPARE(int(f.wizard->plan().config.data.patch), patch);
      f.goTo(SetupWizard::ReviewPageId);
      QSignalSpy start(f.wizard.get(), &SetupWizard::startRequested);
      QTest::mouseClick(f.wizard->button(QWizard::FinishButton), Qt::LeftButton);
      QCOMPARE(start.size(), 1);
    }
    Fixture again(1);  // the app restarted, the same dataset open
    QCOMPARE(int(again.wizard->plan().config.data.patch), patch);
    QCOMPARE(int(again.wizard->plan().config.run.epochs), 7);
    QCOMPARE(int(again.wizard->finalConfig().run.stepsPerEpoch), 33);
    again.context.setDataset(vwbtest::fakeDataset("/data/another"), vwbtest::fakeFingerprint());
    QVERIFY(!again.wizard->constraints().patch.has_value());  // another dataset: the planner's
    QVERIFY(!again.wizard->constraints().epochs.has_value());
    QVERIFY(again.wizard->finalConfig().run.stepsPerEpoch != 33);
  }

  // The run is named for when it starts, not for when the wizard was last reset.
  void runIsNamedWhenItStarts() {
    Fixture f(1);
    const QString reset = f.wizard->runDir();
    const QString stamp = QFileInfo(reset).fileName();
    QTRY_VERIFY_WITH_TIMEOUT(QDateTime::currentDateTime().toString("'run-'yyyyMMdd-HHmmss") != stamp, 5000);
    const QString before = QDateTime::currentDateTime().toString("'run-'yyyyMMdd-HHmmss");
    f.goTo(SetupWizard::ReviewPageId);
    QSignalSpy start(f.wizard.get(), &SetupWizard::startRequested);
    QTest::mouseClick(f.wizard->button(QWizard::FinishButton), Qt::LeftButton);
    QCOMPARE(start.size(), 1);
    const QString name = QFileInfo(QString::fromStdString(start.at(0).at(0).value<TrainConfig>().run.dir)).fileName();
    QVERIFY2(name >= before && name != stamp, qPrintable(name + " reset at " + stamp));
  }

  void memoryBarTurnsRed() {
    Fixture f(1);
    f.goTo(SetupWizard::SettingsPageId);
    TrainingSettingsPage* page = f.wizard->settingsPage();
    page->batchBox()->setValue(1);
    QCOMPARE(f.wizard->plan().config.data.batchPerDevice, 1);
    QVERIFY(!page->memoryBars().empty());
    QVERIFY(page->memoryBars()[0]->level() != MemoryBar::Level::TooBig);
    page->patchBox()->setValue(96);  // the largest the 96^3 volumes allow
    page->batchBox()->setValue(64);  // far beyond a 16 GiB device
    QVERIFY2(f.wizard->hasPlan(), qPrintable(f.wizard->planError()));
    const Plan& plan = f.wizard->plan();
    QCOMPARE(plan.config.data.batchPerDevice, 64);
    const DeviceBudget& b = plan.budgets.at(0);
    QVERIFY(b.estimatedBytes > b.capacityBytes * 0.85);
    QCOMPARE(page->memoryBars()[0]->level(), MemoryBar::Level::TooBig);
    QCOMPARE(page->memoryBars()[0]->color(), QColor(210, 40, 40));
  }

  // A patch the data cannot hold is an error, and no plan (not the previous one) is shown.
  void plannerErrorLeavesNoStalePlan() {
    Fixture f(1);
    f.goTo(SetupWizard::SettingsPageId);
    TrainingSettingsPage* page = f.wizard->settingsPage();
    page->patchBox()->setValue(256);
#if VWB_HAVE_PLAN
    QVERIFY(!f.wizard->hasPlan());
    QVERIFY(f.wizard->planError().contains("256"));
    QVERIFY(page->memoryBars().empty());
    QVERIFY(!f.wizard->button(QWizard::NextButton)->isEnabled());
    QTest::mouseClick(page->resetButton(), Qt::LeftButton);
    QVERIFY(f.wizard->hasPlan());
    QVERIFY(!f.wizard->constraints().patch);
#endif
  }

  void memoryBarThresholds() {
    MemoryBar bar;
    DeviceBudget b{"cuda:0", 100, 60};
    bar.setBudget(b, 0.15);
    QCOMPARE(bar.level(), MemoryBar::Level::Fits);
    b.estimatedBytes = 80;  // inside the last 2 margins: tight
    bar.setBudget(b, 0.15);
    QCOMPARE(bar.level(), MemoryBar::Level::Tight);
    b.estimatedBytes = 86;  // past the safety line, though it would still "fit": red already
    bar.setBudget(b, 0.15);
    QCOMPARE(bar.level(), MemoryBar::Level::TooBig);
  }

  void whatIfHardware() {
    Fixture f(0);
    f.goTo(SetupWizard::HardwarePageId);
    HardwarePage* hw = f.wizard->hardwarePage();
    hw->specEdit()->setText("2x16GB");
    hw->whatIfBox()->setChecked(true);
    QCOMPARE(f.engine->lastAssumeSpec, std::string("2x16GB"));
    QVERIFY(f.wizard->hardware().assumed);
    QCOMPARE(int(f.wizard->hardware().gpus.size()), 2);
    QCOMPARE(hw->gpuTable()->rowCount(), 2);
    QCOMPARE(f.wizard->plan().config.distributed.strategy, StrategyKind::Ddp);
    hw->specEdit()->setText("lots");
    hw->applyWhatIf();
    QVERIFY(hw->errorText().contains("lots"));
    QCOMPARE(int(f.wizard->hardware().gpus.size()), 2);  // the last good what-if stays
    hw->whatIfBox()->setChecked(false);                 // back to detection
    QCOMPARE(int(f.wizard->hardware().gpus.size()), 0);
    QCOMPARE(f.wizard->plan().config.distributed.strategy, StrategyKind::Single);
  }

  void reviewAndStart() {
    Fixture f(2);
    f.goTo(SetupWizard::SettingsPageId);
    f.wizard->settingsPage()->findChildren<QSpinBox*>();  // pages built
    f.wizard->overrides().workers = 5;
    f.goTo(SetupWizard::ReviewPageId);
    ReviewPage* review = f.wizard->reviewPage();
    const TrainConfig config = f.wizard->finalConfig();
    QCOMPARE(config.data.workers, 5);
    QCOMPARE(config.run.dataDir, std::string("/data/scrolls"));
    QCOMPARE(review->configText(), QString::fromStdString(f.engine->configJson(config)));
    QVERIFY(review->estimateText().contains("probe"));
    f.wizard->probe() = ProbeResult{3, 8.0, 0.5, {}, config.data.batchPerDevice, config.data.patch};
    review->initializePage();
    QVERIFY(review->estimateText().contains("per epoch"));
    review->runDirEdit()->setText("/tmp/vwb-test-run");
    Q_EMIT review->runDirEdit()->textEdited("/tmp/vwb-test-run");
    QSignalSpy start(f.wizard.get(), &SetupWizard::startRequested);
    f.wizard->button(QWizard::FinishButton)->click();
    QCOMPARE(start.size(), 1);
    const auto started = start.at(0).at(0).value<TrainConfig>();
    QCOMPARE(started.run.dir, std::string("/tmp/vwb-test-run"));
    QCOMPARE(started.data.workers, 5);
    QCOMPARE(f.wizard->currentId(), int(SetupWizard::DataPageId));  // ready for the next run
  }

  void noDatasetBlocksTheWizard() {
    auto engine = std::make_shared<vwbtest::FakeEngine>();
    WorkbenchContext context(engine);
    SetupWizard wizard(context);
    wizard.show();
    QVERIFY(!wizard.dataPage()->isComplete());
    QVERIFY(wizard.dataPage()->summaryText().contains("No dataset"));
    QVERIFY(!wizard.button(QWizard::NextButton)->isEnabled());
  }
};

QTEST_MAIN(TestWizard)
#include "TestWizard.moc"
