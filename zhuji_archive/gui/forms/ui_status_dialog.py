# generated from ui/status_dialog.ui by tools/build_forms.py — do not edit
# source-sha256: 438abf5dcccfcfbb221973ec2f3dbe4b825673434b830cba94394280d8e95e15
# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'status_dialog.ui'
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
from PySide6.QtWidgets import (QAbstractButton, QApplication, QComboBox, QDialog,
    QDialogButtonBox, QFormLayout, QLabel, QPlainTextEdit,
    QSizePolicy, QVBoxLayout, QWidget)

class Ui_StatusDialog(object):
    def setupUi(self, StatusDialog):
        if not StatusDialog.objectName():
            StatusDialog.setObjectName(u"StatusDialog")
        StatusDialog.resize(420, 240)
        self.mainLayout = QVBoxLayout(StatusDialog)
        self.mainLayout.setObjectName(u"mainLayout")
        self.hintLabel = QLabel(StatusDialog)
        self.hintLabel.setObjectName(u"hintLabel")
        self.hintLabel.setWordWrap(True)

        self.mainLayout.addWidget(self.hintLabel)

        self.form = QFormLayout()
        self.form.setObjectName(u"form")
        self.statusLabel = QLabel(StatusDialog)
        self.statusLabel.setObjectName(u"statusLabel")

        self.form.setWidget(0, QFormLayout.ItemRole.LabelRole, self.statusLabel)

        self.statusCombo = QComboBox(StatusDialog)
        self.statusCombo.setObjectName(u"statusCombo")

        self.form.setWidget(0, QFormLayout.ItemRole.FieldRole, self.statusCombo)

        self.noteLabel = QLabel(StatusDialog)
        self.noteLabel.setObjectName(u"noteLabel")

        self.form.setWidget(1, QFormLayout.ItemRole.LabelRole, self.noteLabel)

        self.noteEdit = QPlainTextEdit(StatusDialog)
        self.noteEdit.setObjectName(u"noteEdit")

        self.form.setWidget(1, QFormLayout.ItemRole.FieldRole, self.noteEdit)


        self.mainLayout.addLayout(self.form)

        self.errorLabel = QLabel(StatusDialog)
        self.errorLabel.setObjectName(u"errorLabel")
        self.errorLabel.setStyleSheet(u"color: #c62828;")

        self.mainLayout.addWidget(self.errorLabel)

        self.buttonBox = QDialogButtonBox(StatusDialog)
        self.buttonBox.setObjectName(u"buttonBox")
        self.buttonBox.setStandardButtons(QDialogButtonBox.Cancel|QDialogButtonBox.Ok)

        self.mainLayout.addWidget(self.buttonBox)


        self.retranslateUi(StatusDialog)

        QMetaObject.connectSlotsByName(StatusDialog)
    # setupUi

    def retranslateUi(self, StatusDialog):
        StatusDialog.setWindowTitle(QCoreApplication.translate("StatusDialog", u"\u53d8\u66f4\u6237\u72b6\u6001", None))
        self.hintLabel.setText(QCoreApplication.translate("StatusDialog", u"\u6237\u6863\u6848\u4e0d\u4f1a\u88ab\u5220\u9664\uff1a\u8fc1\u51fa\u3001\u5408\u6237\u6216\u6ce8\u9500\u7684\u6237\u4fdd\u7559\u5168\u90e8\u6863\u6848\u548c\u53d8\u66f4\u8bb0\u5f55\u3002", None))
        self.statusLabel.setText(QCoreApplication.translate("StatusDialog", u"\u65b0\u72b6\u6001", None))
        self.noteLabel.setText(QCoreApplication.translate("StatusDialog", u"\u539f\u56e0/\u53bb\u5411", None))
    # retranslateUi

