# generated from ui/request_detail.ui by tools/build_forms.py — do not edit
# source-sha256: b7dc2d3fc9b6872daf23f80e18e66657aabb5e109e8055cbf30f94ce25f26950
# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'request_detail.ui'
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
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QApplication, QDialog,
    QDialogButtonBox, QFormLayout, QGroupBox, QHBoxLayout,
    QHeaderView, QLabel, QPushButton, QSizePolicy,
    QSpacerItem, QTableView, QVBoxLayout, QWidget)

class Ui_RequestDetailDialog(object):
    def setupUi(self, RequestDetailDialog):
        if not RequestDetailDialog.objectName():
            RequestDetailDialog.setObjectName(u"RequestDetailDialog")
        RequestDetailDialog.resize(980, 680)
        self.mainLayout = QVBoxLayout(RequestDetailDialog)
        self.mainLayout.setObjectName(u"mainLayout")
        self.headerBar = QHBoxLayout()
        self.headerBar.setObjectName(u"headerBar")
        self.titleLabel = QLabel(RequestDetailDialog)
        self.titleLabel.setObjectName(u"titleLabel")
        self.titleLabel.setStyleSheet(u"font-size: 15pt; font-weight: bold;")

        self.headerBar.addWidget(self.titleLabel)

        self.headerSpacer = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.headerBar.addItem(self.headerSpacer)

        self.statusLabel = QLabel(RequestDetailDialog)
        self.statusLabel.setObjectName(u"statusLabel")
        self.statusLabel.setStyleSheet(u"font-size: 13pt; font-weight: bold; padding: 2px 10px; border-radius: 4px; background: #e3f2fd; color: #0d47a1;")

        self.headerBar.addWidget(self.statusLabel)

        self.lightLabel = QLabel(RequestDetailDialog)
        self.lightLabel.setObjectName(u"lightLabel")
        self.lightLabel.setStyleSheet(u"font-size: 12pt; padding: 2px 8px; border-radius: 4px;")

        self.headerBar.addWidget(self.lightLabel)


        self.mainLayout.addLayout(self.headerBar)

        self.infoBox = QGroupBox(RequestDetailDialog)
        self.infoBox.setObjectName(u"infoBox")
        self.infoForm = QFormLayout(self.infoBox)
        self.infoForm.setObjectName(u"infoForm")
        self.householdCaption = QLabel(self.infoBox)
        self.householdCaption.setObjectName(u"householdCaption")

        self.infoForm.setWidget(0, QFormLayout.ItemRole.LabelRole, self.householdCaption)

        self.householdBox = QHBoxLayout()
        self.householdBox.setObjectName(u"householdBox")
        self.householdLabel = QLabel(self.infoBox)
        self.householdLabel.setObjectName(u"householdLabel")

        self.householdBox.addWidget(self.householdLabel)

        self.openHouseholdButton = QPushButton(self.infoBox)
        self.openHouseholdButton.setObjectName(u"openHouseholdButton")

        self.householdBox.addWidget(self.openHouseholdButton)

        self.householdSpacer = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.householdBox.addItem(self.householdSpacer)


        self.infoForm.setLayout(0, QFormLayout.ItemRole.FieldRole, self.householdBox)

        self.descriptionCaption = QLabel(self.infoBox)
        self.descriptionCaption.setObjectName(u"descriptionCaption")

        self.infoForm.setWidget(1, QFormLayout.ItemRole.LabelRole, self.descriptionCaption)

        self.descriptionLabel = QLabel(self.infoBox)
        self.descriptionLabel.setObjectName(u"descriptionLabel")
        self.descriptionLabel.setWordWrap(True)

        self.infoForm.setWidget(1, QFormLayout.ItemRole.FieldRole, self.descriptionLabel)

        self.classificationCaption = QLabel(self.infoBox)
        self.classificationCaption.setObjectName(u"classificationCaption")

        self.infoForm.setWidget(2, QFormLayout.ItemRole.LabelRole, self.classificationCaption)

        self.classificationLabel = QLabel(self.infoBox)
        self.classificationLabel.setObjectName(u"classificationLabel")
        self.classificationLabel.setWordWrap(True)

        self.infoForm.setWidget(2, QFormLayout.ItemRole.FieldRole, self.classificationLabel)

        self.assignmentCaption = QLabel(self.infoBox)
        self.assignmentCaption.setObjectName(u"assignmentCaption")

        self.infoForm.setWidget(3, QFormLayout.ItemRole.LabelRole, self.assignmentCaption)

        self.assignmentLabel = QLabel(self.infoBox)
        self.assignmentLabel.setObjectName(u"assignmentLabel")
        self.assignmentLabel.setWordWrap(True)

        self.infoForm.setWidget(3, QFormLayout.ItemRole.FieldRole, self.assignmentLabel)

        self.outcomeCaption = QLabel(self.infoBox)
        self.outcomeCaption.setObjectName(u"outcomeCaption")

        self.infoForm.setWidget(4, QFormLayout.ItemRole.LabelRole, self.outcomeCaption)

        self.outcomeLabel = QLabel(self.infoBox)
        self.outcomeLabel.setObjectName(u"outcomeLabel")
        self.outcomeLabel.setWordWrap(True)

        self.infoForm.setWidget(4, QFormLayout.ItemRole.FieldRole, self.outcomeLabel)


        self.mainLayout.addWidget(self.infoBox)

        self.actionsBox = QGroupBox(RequestDetailDialog)
        self.actionsBox.setObjectName(u"actionsBox")
        self.actionsLayout = QHBoxLayout(self.actionsBox)
        self.actionsLayout.setObjectName(u"actionsLayout")

        self.mainLayout.addWidget(self.actionsBox)

        self.timelineCaption = QLabel(RequestDetailDialog)
        self.timelineCaption.setObjectName(u"timelineCaption")

        self.mainLayout.addWidget(self.timelineCaption)

        self.timelineTable = QTableView(RequestDetailDialog)
        self.timelineTable.setObjectName(u"timelineTable")
        self.timelineTable.setAlternatingRowColors(True)
        self.timelineTable.setSelectionBehavior(QAbstractItemView.SelectRows)

        self.mainLayout.addWidget(self.timelineTable)

        self.buttonBox = QDialogButtonBox(RequestDetailDialog)
        self.buttonBox.setObjectName(u"buttonBox")
        self.buttonBox.setStandardButtons(QDialogButtonBox.Close)

        self.mainLayout.addWidget(self.buttonBox)


        self.retranslateUi(RequestDetailDialog)

        QMetaObject.connectSlotsByName(RequestDetailDialog)
    # setupUi

    def retranslateUi(self, RequestDetailDialog):
        RequestDetailDialog.setWindowTitle(QCoreApplication.translate("RequestDetailDialog", u"\u8bc9\u6c42\u529e\u7406", None))
        self.infoBox.setTitle(QCoreApplication.translate("RequestDetailDialog", u"\u8bc9\u6c42\u60c5\u51b5", None))
        self.householdCaption.setText(QCoreApplication.translate("RequestDetailDialog", u"\u6237", None))
        self.openHouseholdButton.setText(QCoreApplication.translate("RequestDetailDialog", u"\u6253\u5f00\u6237\u6863\u6848", None))
        self.descriptionCaption.setText(QCoreApplication.translate("RequestDetailDialog", u"\u8bc9\u6c42\u5185\u5bb9", None))
        self.classificationCaption.setText(QCoreApplication.translate("RequestDetailDialog", u"\u68b3\u7406\u5206\u7c7b", None))
        self.assignmentCaption.setText(QCoreApplication.translate("RequestDetailDialog", u"\u4ea4\u529e", None))
        self.outcomeCaption.setText(QCoreApplication.translate("RequestDetailDialog", u"\u89e3\u51b3\u60c5\u51b5", None))
        self.actionsBox.setTitle(QCoreApplication.translate("RequestDetailDialog", u"\u53ef\u4ee5\u8fdb\u884c\u7684\u529e\u7406", None))
        self.timelineCaption.setText(QCoreApplication.translate("RequestDetailDialog", u"\u529e\u7406\u8fc7\u7a0b", None))
    # retranslateUi

