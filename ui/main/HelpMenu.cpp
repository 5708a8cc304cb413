#include "ui/main/HelpMenu.h"

#include <QApplication>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFile>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace vwb::ui {

namespace {
void collect(const QMenu* menu, const QString& path, QStringList& out) {
  for (QAction* a : menu->actions()) {
    const QString name = path + " › " + QString(a->text()).remove('&').remove(QString::fromUtf8("…"));
    if (a->menu()) collect(a->menu(), name, out);
    else if (!a->shortcut().isEmpty()) out << a->shortcut().toString(QKeySequence::NativeText) + QString::fromUtf8(" — ") + name;
  }
}

void showText(QWidget* parent, const QString& title, const QString& markdown) {
  auto* dialog = new QDialog(parent);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->setWindowTitle(title);
  auto* browser = new QTextBrowser;
  browser->setOpenExternalLinks(true);
  browser->setMarkdown(markdown);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
  QObject::connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::close);
  auto* layout = new QVBoxLayout(dialog);
  layout->addWidget(browser);
  layout->addWidget(buttons);
  dialog->resize(760, 600);
  dialog->show();
}
}  // namespace

QString guideText(const QString& resource) {
  QFile f(resource);
  return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

QString shortcutsText(const QMainWindow& window) {
  QStringList lines;
  for (QAction* a : window.menuBar()->actions())
    if (a->menu()) collect(a->menu(), QString(a->text()).remove('&'), lines);
  lines << QObject::tr("Wheel, ↑/↓, PgUp/PgDn — Viewer › move through the slices")
        << QObject::tr("Click or drag — Viewer › set the linked cursor")
        << QObject::tr("Drag, wheel, PgDn — Setup › Strategy › scroll the decision tree");
  return lines.join("\n");
}

void addHelpMenu(QMainWindow& window, const QString& buildInfo) {
  QMenu* help = window.menuBar()->addMenu(QObject::tr("&Help"));
  QWidget* parent = &window;
  help->addAction(QObject::tr("&Getting started (README)"), QKeySequence::HelpContents, parent, [parent] {
    showText(parent, QObject::tr("Getting started"), guideText(":/docs/README.md"));
  });
  help->addAction(QObject::tr("The &workbench's pages (ui/README)"), parent, [parent] {
    showText(parent, QObject::tr("The workbench's pages"), guideText(":/docs/ui/README.md"));
  });
  help->addAction(QObject::tr("&Keyboard shortcuts"), parent, [&window] {
    QString md;
    for (const QString& line : shortcutsText(window).split('\n')) md += "- " + line + "\n";
    showText(&window, QObject::tr("Keyboard shortcuts"), md);
  });
  help->addSeparator();
  help->addAction(QObject::tr("&About"), parent, [parent, buildInfo] {
    QMessageBox::about(parent, QObject::tr("About Vesuvius Workbench"),
                       QObject::tr("<b>Vesuvius Workbench %1</b><br>Train 3D surface segmentation on scroll CT: "
                                   "data → plan → train → inspect → export.<br><br>%2")
                           .arg(QApplication::applicationVersion(),
                                buildInfo.toHtmlEscaped().replace("\n", "<br>")));
  });
}

}  // namespace vwb::ui
