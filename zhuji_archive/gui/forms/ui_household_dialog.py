# generated from ui/household_dialog.ui by tools/build_forms.py — do not edit
# source-sha256: b15eba28d9b3909252e4e9e1daf4b8a4a17ae36b8ce7aed2e40ebfce6b450b4f
# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'household_dialog.ui'
##
## Created by: Qt User Interface Compiler version 6.12.0
##
## WARNING! All changes made in this file will be lost when recompiling UI file!
################################################################################

from PySide6.QtCore import (QCoreApplication, QDate, QDateTime, QLocale,
    QMetaObject, QObject, QPoint, QRect,
    QSize, QTime, QUrl, Qt)
from PySide6.QtGui import (QBrush, QColor, QConicalGradient, QCursor,
    QFont, QFontDatabase, QGradient, QIcon,
    QImage, QKeySequence, QLinearGradient, QPainter,
    QPalette, QPixmap, QRadialGradient, QTransform)
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QApplication, QComboBox,
    QDialog, QDialogButtonBox, QGridLayout, QGroupBox,
    QHBoxLayout, QHeaderView, QLabel, QLineEdit,
    QPushButton, QSizePolicy, QSpacerItem, QSpinBox,
    QTabWidget, QTableView, QVBoxLayout, QWidget)

class Ui_HouseholdDialog(object):
    def setupUi(self, HouseholdDialog):
        if not HouseholdDialog.objectName():
            HouseholdDialog.setObjectName(u"HouseholdDialog")
        HouseholdDialog.resize(1100, 720)
        self.mainLayout = QVBoxLayout(HouseholdDialog)
        self.mainLayout.setObjectName(u"mainLayout")
        self.titleLabel = QLabel(HouseholdDialog)
        self.titleLabel.setObjectName(u"titleLabel")
        self.titleLabel.setStyleSheet(u"font-size: 16pt; font-weight: bold;")

        self.mainLayout.addWidget(self.titleLabel)

        self.householdBox = QGroupBox(HouseholdDialog)
        self.householdBox.setObjectName(u"householdBox")
        self.householdGrid = QGridLayout(self.householdBox)
        self.householdGrid.setObjectName(u"householdGrid")
        self.numberLabel = QLabel(self.householdBox)
        self.numberLabel.setObjectName(u"numberLabel")

        self.householdGrid.addWidget(self.numberLabel, 0, 0, 1, 1)

        self.numberBox = QVBoxLayout()
        self.numberBox.setSpacing(1)
        self.numberBox.setObjectName(u"numberBox")
        self.numberSpin = QSpinBox(self.householdBox)
        self.numberSpin.setObjectName(u"numberSpin")
        self.numberSpin.setMinimum(1)
        self.numberSpin.setMaximum(99999)

        self.numberBox.addWidget(self.numberSpin)

        self.numberError = QLabel(self.householdBox)
        self.numberError.setObjectName(u"numberError")
        self.numberError.setStyleSheet(u"color: #c62828;")

        self.numberBox.addWidget(self.numberError)


        self.householdGrid.addLayout(self.numberBox, 0, 1, 1, 1)

        self.addressLabel = QLabel(self.householdBox)
        self.addressLabel.setObjectName(u"addressLabel")

        self.householdGrid.addWidget(self.addressLabel, 0, 2, 1, 1)

        self.addressEdit = QLineEdit(self.householdBox)
        self.addressEdit.setObjectName(u"addressEdit")
        self.addressEdit.setMaxLength(80)

        self.householdGrid.addWidget(self.addressEdit, 0, 3, 1, 1)

        self.phoneLabel = QLabel(self.householdBox)
        self.phoneLabel.setObjectName(u"phoneLabel")

        self.householdGrid.addWidget(self.phoneLabel, 0, 4, 1, 1)

        self.phoneBox = QVBoxLayout()
        self.phoneBox.setSpacing(1)
        self.phoneBox.setObjectName(u"phoneBox")
        self.phoneEdit = QLineEdit(self.householdBox)
        self.phoneEdit.setObjectName(u"phoneEdit")
        self.phoneEdit.setMaxLength(20)

        self.phoneBox.addWidget(self.phoneEdit)

        self.phoneError = QLabel(self.householdBox)
        self.phoneError.setObjectName(u"phoneError")
        self.phoneError.setStyleSheet(u"color: #c62828;")

        self.phoneBox.addWidget(self.phoneError)


        self.householdGrid.addLayout(self.phoneBox, 0, 5, 1, 1)

        self.cadreLabel = QLabel(self.householdBox)
        self.cadreLabel.setObjectName(u"cadreLabel")

        self.householdGrid.addWidget(self.cadreLabel, 1, 0, 1, 1)

        self.cadreCombo = QComboBox(self.householdBox)
        self.cadreCombo.setObjectName(u"cadreCombo")

        self.householdGrid.addWidget(self.cadreCombo, 1, 1, 1, 1)

        self.statusLabel = QLabel(self.householdBox)
        self.statusLabel.setObjectName(u"statusLabel")

        self.householdGrid.addWidget(self.statusLabel, 1, 2, 1, 1)

        self.statusBox = QHBoxLayout()
        self.statusBox.setObjectName(u"statusBox")
        self.statusValue = QLabel(self.householdBox)
        self.statusValue.setObjectName(u"statusValue")

        self.statusBox.addWidget(self.statusValue)

        self.statusButton = QPushButton(self.householdBox)
        self.statusButton.setObjectName(u"statusButton")

        self.statusBox.addWidget(self.statusButton)

        self.statusSpacer = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.statusBox.addItem(self.statusSpacer)


        self.householdGrid.addLayout(self.statusBox, 1, 3, 1, 1)

        self.notesLabel = QLabel(self.householdBox)
        self.notesLabel.setObjectName(u"notesLabel")

        self.householdGrid.addWidget(self.notesLabel, 1, 4, 1, 1)

        self.notesEdit = QLineEdit(self.householdBox)
        self.notesEdit.setObjectName(u"notesEdit")

        self.householdGrid.addWidget(self.notesEdit, 1, 5, 1, 1)

        self.economicLabel = QLabel(self.householdBox)
        self.economicLabel.setObjectName(u"economicLabel")

        self.householdGrid.addWidget(self.economicLabel, 2, 0, 1, 1)

        self.economicBox = QWidget(self.householdBox)
        self.economicBox.setObjectName(u"economicBox")

        self.householdGrid.addWidget(self.economicBox, 2, 1, 1, 5)

        self.focusLabel = QLabel(self.householdBox)
        self.focusLabel.setObjectName(u"focusLabel")

        self.householdGrid.addWidget(self.focusLabel, 3, 0, 1, 1)

        self.focusBox = QWidget(self.householdBox)
        self.focusBox.setObjectName(u"focusBox")

        self.householdGrid.addWidget(self.focusBox, 3, 1, 1, 5)


        self.mainLayout.addWidget(self.householdBox)

        self.tabs = QTabWidget(HouseholdDialog)
        self.tabs.setObjectName(u"tabs")
        self.membersTab = QWidget()
        self.membersTab.setObjectName(u"membersTab")
        self.membersLayout = QVBoxLayout(self.membersTab)
        self.membersLayout.setObjectName(u"membersLayout")
        self.membersBar = QHBoxLayout()
        self.membersBar.setObjectName(u"membersBar")
        self.membersAddButton = QPushButton(self.membersTab)
        self.membersAddButton.setObjectName(u"membersAddButton")

        self.membersBar.addWidget(self.membersAddButton)

        self.membersEditButton = QPushButton(self.membersTab)
        self.membersEditButton.setObjectName(u"membersEditButton")

        self.membersBar.addWidget(self.membersEditButton)

        self.membersRemoveButton = QPushButton(self.membersTab)
        self.membersRemoveButton.setObjectName(u"membersRemoveButton")

        self.membersBar.addWidget(self.membersRemoveButton)

        self.membersSpacer = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.membersBar.addItem(self.membersSpacer)


        self.membersLayout.addLayout(self.membersBar)

        self.membersTable = QTableView(self.membersTab)
        self.membersTable.setObjectName(u"membersTable")
        self.membersTable.setAlternatingRowColors(True)
        self.membersTable.setSelectionBehavior(QAbstractItemView.SelectRows)

        self.membersLayout.addWidget(self.membersTable)

        self.tabs.addTab(self.membersTab, "")
        self.incomesTab = QWidget()
        self.incomesTab.setObjectName(u"incomesTab")
        self.incomesLayout = QVBoxLayout(self.incomesTab)
        self.incomesLayout.setObjectName(u"incomesLayout")
        self.incomesBar = QHBoxLayout()
        self.incomesBar.setObjectName(u"incomesBar")
        self.incomesAddButton = QPushButton(self.incomesTab)
        self.incomesAddButton.setObjectName(u"incomesAddButton")

        self.incomesBar.addWidget(self.incomesAddButton)

        self.incomesRemoveButton = QPushButton(self.incomesTab)
        self.incomesRemoveButton.setObjectName(u"incomesRemoveButton")

        self.incomesBar.addWidget(self.incomesRemoveButton)

        self.incomesSpacer = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.incomesBar.addItem(self.incomesSpacer)

        self.incomeSummaryLabel = QLabel(self.incomesTab)
        self.incomeSummaryLabel.setObjectName(u"incomeSummaryLabel")

        self.incomesBar.addWidget(self.incomeSummaryLabel)


        self.incomesLayout.addLayout(self.incomesBar)

        self.incomesTable = QTableView(self.incomesTab)
        self.incomesTable.setObjectName(u"incomesTable")
        self.incomesTable.setAlternatingRowColors(True)
        self.incomesTable.setSelectionBehavior(QAbstractItemView.SelectRows)

        self.incomesLayout.addWidget(self.incomesTable)

        self.tabs.addTab(self.incomesTab, "")
        self.assistanceTab = QWidget()
        self.assistanceTab.setObjectName(u"assistanceTab")
        self.assistanceLayout = QVBoxLayout(self.assistanceTab)
        self.assistanceLayout.setObjectName(u"assistanceLayout")
        self.assistanceBar = QHBoxLayout()
        self.assistanceBar.setObjectName(u"assistanceBar")
        self.assistanceAddButton = QPushButton(self.assistanceTab)
        self.assistanceAddButton.setObjectName(u"assistanceAddButton")

        self.assistanceBar.addWidget(self.assistanceAddButton)

        self.assistanceRemoveButton = QPushButton(self.assistanceTab)
        self.assistanceRemoveButton.setObjectName(u"assistanceRemoveButton")

        self.assistanceBar.addWidget(self.assistanceRemoveButton)

        self.assistanceSpacer = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.assistanceBar.addItem(self.assistanceSpacer)


        self.assistanceLayout.addLayout(self.assistanceBar)

        self.assistanceTable = QTableView(self.assistanceTab)
        self.assistanceTable.setObjectName(u"assistanceTable")
        self.assistanceTable.setAlternatingRowColors(True)
        self.assistanceTable.setSelectionBehavior(QAbstractItemView.SelectRows)

        self.assistanceLayout.addWidget(self.assistanceTable)

        self.tabs.addTab(self.assistanceTab, "")
        self.requestsTab = QWidget()
        self.requestsTab.setObjectName(u"requestsTab")
        self.requestsLayout = QVBoxLayout(self.requestsTab)
        self.requestsLayout.setObjectName(u"requestsLayout")
        self.requestsBar = QHBoxLayout()
        self.requestsBar.setObjectName(u"requestsBar")
        self.requestsAddButton = QPushButton(self.requestsTab)
        self.requestsAddButton.setObjectName(u"requestsAddButton")

        self.requestsBar.addWidget(self.requestsAddButton)

        self.requestsRemoveButton = QPushButton(self.requestsTab)
        self.requestsRemoveButton.setObjectName(u"requestsRemoveButton")

        self.requestsBar.addWidget(self.requestsRemoveButton)

        self.requestsSpacer = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.requestsBar.addItem(self.requestsSpacer)


        self.requestsLayout.addLayout(self.requestsBar)

        self.requestsTable = QTableView(self.requestsTab)
        self.requestsTable.setObjectName(u"requestsTable")
        self.requestsTable.setAlternatingRowColors(True)
        self.requestsTable.setSelectionBehavior(QAbstractItemView.SelectRows)

        self.requestsLayout.addWidget(self.requestsTable)

        self.tabs.addTab(self.requestsTab, "")
        self.resolutionTab = QWidget()
        self.resolutionTab.setObjectName(u"resolutionTab")
        self.resolutionLayout = QVBoxLayout(self.resolutionTab)
        self.resolutionLayout.setObjectName(u"resolutionLayout")
        self.resolutionTable = QTableView(self.resolutionTab)
        self.resolutionTable.setObjectName(u"resolutionTable")
        self.resolutionTable.setAlternatingRowColors(True)
        self.resolutionTable.setSelectionBehavior(QAbstractItemView.SelectRows)

        self.resolutionLayout.addWidget(self.resolutionTable)

        self.tabs.addTab(self.resolutionTab, "")
        self.visitsTab = QWidget()
        self.visitsTab.setObjectName(u"visitsTab")
        self.visitsLayout = QVBoxLayout(self.visitsTab)
        self.visitsLayout.setObjectName(u"visitsLayout")
        self.visitsBar = QHBoxLayout()
        self.visitsBar.setObjectName(u"visitsBar")
        self.visitsAddButton = QPushButton(self.visitsTab)
        self.visitsAddButton.setObjectName(u"visitsAddButton")

        self.visitsBar.addWidget(self.visitsAddButton)

        self.visitsRemoveButton = QPushButton(self.visitsTab)
        self.visitsRemoveButton.setObjectName(u"visitsRemoveButton")

        self.visitsBar.addWidget(self.visitsRemoveButton)

        self.visitsSpacer = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.visitsBar.addItem(self.visitsSpacer)


        self.visitsLayout.addLayout(self.visitsBar)

        self.visitsTable = QTableView(self.visitsTab)
        self.visitsTable.setObjectName(u"visitsTable")
        self.visitsTable.setAlternatingRowColors(True)
        self.visitsTable.setSelectionBehavior(QAbstractItemView.SelectRows)

        self.visitsLayout.addWidget(self.visitsTable)

        self.tabs.addTab(self.visitsTab, "")
        self.historyTab = QWidget()
        self.historyTab.setObjectName(u"historyTab")
        self.historyLayout = QVBoxLayout(self.historyTab)
        self.historyLayout.setObjectName(u"historyLayout")
        self.historyTable = QTableView(self.historyTab)
        self.historyTable.setObjectName(u"historyTable")
        self.historyTable.setAlternatingRowColors(True)
        self.historyTable.setSelectionBehavior(QAbstractItemView.SelectRows)

        self.historyLayout.addWidget(self.historyTable)

        self.tabs.addTab(self.historyTab, "")

        self.mainLayout.addWidget(self.tabs)

        self.problemsLabel = QLabel(HouseholdDialog)
        self.problemsLabel.setObjectName(u"problemsLabel")
        self.problemsLabel.setWordWrap(True)
        self.problemsLabel.setStyleSheet(u"color: #c62828;")

        self.mainLayout.addWidget(self.problemsLabel)

        self.bottomBar = QHBoxLayout()
        self.bottomBar.setObjectName(u"bottomBar")
        self.dirtyLabel = QLabel(HouseholdDialog)
        self.dirtyLabel.setObjectName(u"dirtyLabel")
        self.dirtyLabel.setStyleSheet(u"color: #b26a00;")

        self.bottomBar.addWidget(self.dirtyLabel)

        self.bottomSpacer = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.bottomBar.addItem(self.bottomSpacer)

        self.buttonBox = QDialogButtonBox(HouseholdDialog)
        self.buttonBox.setObjectName(u"buttonBox")
        self.buttonBox.setStandardButtons(QDialogButtonBox.Close|QDialogButtonBox.Save)

        self.bottomBar.addWidget(self.buttonBox)


        self.mainLayout.addLayout(self.bottomBar)


        self.retranslateUi(HouseholdDialog)

        QMetaObject.connectSlotsByName(HouseholdDialog)
    # setupUi

    def retranslateUi(self, HouseholdDialog):
        HouseholdDialog.setWindowTitle(QCoreApplication.translate("HouseholdDialog", u"\u6237\u6863\u6848", None))
        self.householdBox.setTitle(QCoreApplication.translate("HouseholdDialog", u"\u6237\u57fa\u672c\u4fe1\u606f", None))
        self.numberLabel.setText(QCoreApplication.translate("HouseholdDialog", u"\u6237\u53f7", None))
        self.addressLabel.setText(QCoreApplication.translate("HouseholdDialog", u"\u4f4f\u5740", None))
        self.phoneLabel.setText(QCoreApplication.translate("HouseholdDialog", u"\u8054\u7cfb\u7535\u8bdd", None))
        self.cadreLabel.setText(QCoreApplication.translate("HouseholdDialog", u"\u8d23\u4efb\u5e72\u90e8", None))
        self.statusLabel.setText(QCoreApplication.translate("HouseholdDialog", u"\u72b6\u6001", None))
        self.statusButton.setText(QCoreApplication.translate("HouseholdDialog", u"\u53d8\u66f4\u72b6\u6001\u2026", None))
        self.notesLabel.setText(QCoreApplication.translate("HouseholdDialog", u"\u5907\u6ce8", None))
        self.economicLabel.setText(QCoreApplication.translate("HouseholdDialog", u"\u7ecf\u6d4e\u7c7b\u578b", None))
        self.focusLabel.setText(QCoreApplication.translate("HouseholdDialog", u"\u91cd\u70b9\u5173\u6ce8", None))
        self.membersAddButton.setText(QCoreApplication.translate("HouseholdDialog", u"\u6dfb\u52a0\u6210\u5458", None))
        self.membersEditButton.setText(QCoreApplication.translate("HouseholdDialog", u"\u7f16\u8f91\u6210\u5458", None))
        self.membersRemoveButton.setText(QCoreApplication.translate("HouseholdDialog", u"\u79fb\u9664\u6210\u5458", None))
        self.tabs.setTabText(self.tabs.indexOf(self.membersTab), QCoreApplication.translate("HouseholdDialog", u"\u5bb6\u5ead\u6210\u5458", None))
        self.incomesAddButton.setText(QCoreApplication.translate("HouseholdDialog", u"\u6dfb\u52a0", None))
        self.incomesRemoveButton.setText(QCoreApplication.translate("HouseholdDialog", u"\u79fb\u9664", None))
        self.tabs.setTabText(self.tabs.indexOf(self.incomesTab), QCoreApplication.translate("HouseholdDialog", u"\u7ecf\u6d4e\u6765\u6e90", None))
        self.assistanceAddButton.setText(QCoreApplication.translate("HouseholdDialog", u"\u6dfb\u52a0", None))
        self.assistanceRemoveButton.setText(QCoreApplication.translate("HouseholdDialog", u"\u79fb\u9664", None))
        self.tabs.setTabText(self.tabs.indexOf(self.assistanceTab), QCoreApplication.translate("HouseholdDialog", u"\u5e2e\u6276\u8bb0\u5f55", None))
        self.requestsAddButton.setText(QCoreApplication.translate("HouseholdDialog", u"\u767b\u8bb0\u8bc9\u6c42", None))
        self.requestsRemoveButton.setText(QCoreApplication.translate("HouseholdDialog", u"\u79fb\u9664", None))
        self.tabs.setTabText(self.tabs.indexOf(self.requestsTab), QCoreApplication.translate("HouseholdDialog", u"\u5bb6\u5ead\u8bc9\u6c42", None))
        self.tabs.setTabText(self.tabs.indexOf(self.resolutionTab), QCoreApplication.translate("HouseholdDialog", u"\u89e3\u51b3\u60c5\u51b5", None))
        self.visitsAddButton.setText(QCoreApplication.translate("HouseholdDialog", u"\u6dfb\u52a0\u8d70\u8bbf", None))
        self.visitsRemoveButton.setText(QCoreApplication.translate("HouseholdDialog", u"\u79fb\u9664", None))
        self.tabs.setTabText(self.tabs.indexOf(self.visitsTab), QCoreApplication.translate("HouseholdDialog", u"\u8d70\u8bbf\u8bb0\u5f55", None))
        self.tabs.setTabText(self.tabs.indexOf(self.historyTab), QCoreApplication.translate("HouseholdDialog", u"\u53d8\u66f4\u8bb0\u5f55", None))
    # retranslateUi

