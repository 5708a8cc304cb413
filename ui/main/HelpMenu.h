#pragma once
// Help: the user guide (the README pages, built into the binary so an installed workbench has
// them), the keyboard shortcuts, and About. A reaction in ParaView's sense: the window only
// calls addHelpMenu.
#include <QString>

class QMainWindow;

namespace vwb::ui {

// buildInfo: what this binary was built with and runs on (`vwb --version`), shown in About.
void addHelpMenu(QMainWindow& window, const QString& buildInfo = {});
// Every menu action that has a shortcut (read from the menus, so it cannot go stale), then the
// viewer's keys; one "keys — what" line each.
QString shortcutsText(const QMainWindow& window);
// A built-in guide page (":/docs/README.md", ":/docs/ui/README.md"); empty if absent.
QString guideText(const QString& resource);

}  // namespace vwb::ui
