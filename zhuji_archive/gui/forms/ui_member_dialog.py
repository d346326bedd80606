# generated from ui/member_dialog.ui by tools/build_forms.py — do not edit
# source-sha256: e3dce2e6ba8e3d795d7c58979b739e95ac58969d97c4ef00f4556ae5a06e35ed
# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'member_dialog.ui'
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
from PySide6.QtWidgets import (QAbstractButton, QApplication, QCheckBox, QComboBox,
    QDateEdit, QDialog, QDialogButtonBox, QFormLayout,
    QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit,
    QSizePolicy, QVBoxLayout, QWidget)

class Ui_MemberDialog(object):
    def setupUi(self, MemberDialog):
        if not MemberDialog.objectName():
            MemberDialog.setObjectName(u"MemberDialog")
        MemberDialog.resize(560, 560)
        self.mainLayout = QVBoxLayout(MemberDialog)
        self.mainLayout.setObjectName(u"mainLayout")
        self.form = QFormLayout()
        self.form.setObjectName(u"form")
        self.form.setLabelAlignment(Qt.AlignRight|Qt.AlignVCenter)
        self.nameLabel = QLabel(MemberDialog)
        self.nameLabel.setObjectName(u"nameLabel")

        self.form.setWidget(0, QFormLayout.ItemRole.LabelRole, self.nameLabel)

        self.nameBox = QVBoxLayout()
        self.nameBox.setSpacing(1)
        self.nameBox.setObjectName(u"nameBox")
        self.nameEdit = QLineEdit(MemberDialog)
        self.nameEdit.setObjectName(u"nameEdit")
        self.nameEdit.setMaxLength(20)

        self.nameBox.addWidget(self.nameEdit)

        self.nameError = QLabel(MemberDialog)
        self.nameError.setObjectName(u"nameError")
        self.nameError.setStyleSheet(u"color: #c62828;")

        self.nameBox.addWidget(self.nameError)


        self.form.setLayout(0, QFormLayout.ItemRole.FieldRole, self.nameBox)

        self.relationLabel = QLabel(MemberDialog)
        self.relationLabel.setObjectName(u"relationLabel")

        self.form.setWidget(1, QFormLayout.ItemRole.LabelRole, self.relationLabel)

        self.relationBox = QVBoxLayout()
        self.relationBox.setSpacing(1)
        self.relationBox.setObjectName(u"relationBox")
        self.relationCombo = QComboBox(MemberDialog)
        self.relationCombo.setObjectName(u"relationCombo")

        self.relationBox.addWidget(self.relationCombo)

        self.relationError = QLabel(MemberDialog)
        self.relationError.setObjectName(u"relationError")
        self.relationError.setStyleSheet(u"color: #c62828;")

        self.relationBox.addWidget(self.relationError)


        self.form.setLayout(1, QFormLayout.ItemRole.FieldRole, self.relationBox)

        self.idLabel = QLabel(MemberDialog)
        self.idLabel.setObjectName(u"idLabel")

        self.form.setWidget(2, QFormLayout.ItemRole.LabelRole, self.idLabel)

        self.idBox = QVBoxLayout()
        self.idBox.setSpacing(1)
        self.idBox.setObjectName(u"idBox")
        self.idEdit = QLineEdit(MemberDialog)
        self.idEdit.setObjectName(u"idEdit")
        self.idEdit.setMaxLength(24)

        self.idBox.addWidget(self.idEdit)

        self.idError = QLabel(MemberDialog)
        self.idError.setObjectName(u"idError")
        self.idError.setWordWrap(True)
        self.idError.setStyleSheet(u"color: #c62828;")

        self.idBox.addWidget(self.idError)


        self.form.setLayout(2, QFormLayout.ItemRole.FieldRole, self.idBox)

        self.sexLabel = QLabel(MemberDialog)
        self.sexLabel.setObjectName(u"sexLabel")

        self.form.setWidget(3, QFormLayout.ItemRole.LabelRole, self.sexLabel)

        self.sexCombo = QComboBox(MemberDialog)
        self.sexCombo.setObjectName(u"sexCombo")

        self.form.setWidget(3, QFormLayout.ItemRole.FieldRole, self.sexCombo)

        self.birthLabel = QLabel(MemberDialog)
        self.birthLabel.setObjectName(u"birthLabel")

        self.form.setWidget(4, QFormLayout.ItemRole.LabelRole, self.birthLabel)

        self.birthEdit = QDateEdit(MemberDialog)
        self.birthEdit.setObjectName(u"birthEdit")
        self.birthEdit.setCalendarPopup(True)

        self.form.setWidget(4, QFormLayout.ItemRole.FieldRole, self.birthEdit)

        self.educationLabel = QLabel(MemberDialog)
        self.educationLabel.setObjectName(u"educationLabel")

        self.form.setWidget(5, QFormLayout.ItemRole.LabelRole, self.educationLabel)

        self.educationCombo = QComboBox(MemberDialog)
        self.educationCombo.setObjectName(u"educationCombo")

        self.form.setWidget(5, QFormLayout.ItemRole.FieldRole, self.educationCombo)

        self.politicalLabel = QLabel(MemberDialog)
        self.politicalLabel.setObjectName(u"politicalLabel")

        self.form.setWidget(6, QFormLayout.ItemRole.LabelRole, self.politicalLabel)

        self.politicalCombo = QComboBox(MemberDialog)
        self.politicalCombo.setObjectName(u"politicalCombo")

        self.form.setWidget(6, QFormLayout.ItemRole.FieldRole, self.politicalCombo)

        self.healthLabel = QLabel(MemberDialog)
        self.healthLabel.setObjectName(u"healthLabel")

        self.form.setWidget(7, QFormLayout.ItemRole.LabelRole, self.healthLabel)

        self.healthBox = QHBoxLayout()
        self.healthBox.setObjectName(u"healthBox")
        self.healthCombo = QComboBox(MemberDialog)
        self.healthCombo.setObjectName(u"healthCombo")

        self.healthBox.addWidget(self.healthCombo)

        self.gradeLabel = QLabel(MemberDialog)
        self.gradeLabel.setObjectName(u"gradeLabel")

        self.healthBox.addWidget(self.gradeLabel)

        self.gradeCombo = QComboBox(MemberDialog)
        self.gradeCombo.setObjectName(u"gradeCombo")

        self.healthBox.addWidget(self.gradeCombo)


        self.form.setLayout(7, QFormLayout.ItemRole.FieldRole, self.healthBox)

        self.phoneLabel = QLabel(MemberDialog)
        self.phoneLabel.setObjectName(u"phoneLabel")

        self.form.setWidget(8, QFormLayout.ItemRole.LabelRole, self.phoneLabel)

        self.phoneBox = QVBoxLayout()
        self.phoneBox.setSpacing(1)
        self.phoneBox.setObjectName(u"phoneBox")
        self.phoneEdit = QLineEdit(MemberDialog)
        self.phoneEdit.setObjectName(u"phoneEdit")
        self.phoneEdit.setMaxLength(20)

        self.phoneBox.addWidget(self.phoneEdit)

        self.phoneError = QLabel(MemberDialog)
        self.phoneError.setObjectName(u"phoneError")
        self.phoneError.setStyleSheet(u"color: #c62828;")

        self.phoneBox.addWidget(self.phoneError)


        self.form.setLayout(8, QFormLayout.ItemRole.FieldRole, self.phoneBox)

        self.migrantLabel = QLabel(MemberDialog)
        self.migrantLabel.setObjectName(u"migrantLabel")

        self.form.setWidget(9, QFormLayout.ItemRole.LabelRole, self.migrantLabel)

        self.migrantBox = QHBoxLayout()
        self.migrantBox.setObjectName(u"migrantBox")
        self.migrantCheck = QCheckBox(MemberDialog)
        self.migrantCheck.setObjectName(u"migrantCheck")

        self.migrantBox.addWidget(self.migrantCheck)

        self.migrantPlaceEdit = QLineEdit(MemberDialog)
        self.migrantPlaceEdit.setObjectName(u"migrantPlaceEdit")

        self.migrantBox.addWidget(self.migrantPlaceEdit)


        self.form.setLayout(9, QFormLayout.ItemRole.FieldRole, self.migrantBox)

        self.notesLabel = QLabel(MemberDialog)
        self.notesLabel.setObjectName(u"notesLabel")

        self.form.setWidget(10, QFormLayout.ItemRole.LabelRole, self.notesLabel)

        self.notesEdit = QPlainTextEdit(MemberDialog)
        self.notesEdit.setObjectName(u"notesEdit")
        self.notesEdit.setMaximumSize(QSize(16777215, 70))

        self.form.setWidget(10, QFormLayout.ItemRole.FieldRole, self.notesEdit)


        self.mainLayout.addLayout(self.form)

        self.warningLabel = QLabel(MemberDialog)
        self.warningLabel.setObjectName(u"warningLabel")
        self.warningLabel.setWordWrap(True)
        self.warningLabel.setStyleSheet(u"color: #b26a00;")

        self.mainLayout.addWidget(self.warningLabel)

        self.buttonBox = QDialogButtonBox(MemberDialog)
        self.buttonBox.setObjectName(u"buttonBox")
        self.buttonBox.setStandardButtons(QDialogButtonBox.Cancel|QDialogButtonBox.Ok)

        self.mainLayout.addWidget(self.buttonBox)

#if QT_CONFIG(shortcut)
        self.nameLabel.setBuddy(self.nameEdit)
        self.relationLabel.setBuddy(self.relationCombo)
        self.idLabel.setBuddy(self.idEdit)
        self.sexLabel.setBuddy(self.sexCombo)
        self.birthLabel.setBuddy(self.birthEdit)
        self.educationLabel.setBuddy(self.educationCombo)
        self.politicalLabel.setBuddy(self.politicalCombo)
        self.healthLabel.setBuddy(self.healthCombo)
        self.phoneLabel.setBuddy(self.phoneEdit)
#endif // QT_CONFIG(shortcut)

        self.retranslateUi(MemberDialog)

        QMetaObject.connectSlotsByName(MemberDialog)
    # setupUi

    def retranslateUi(self, MemberDialog):
        MemberDialog.setWindowTitle(QCoreApplication.translate("MemberDialog", u"\u5bb6\u5ead\u6210\u5458", None))
        self.nameLabel.setText(QCoreApplication.translate("MemberDialog", u"\u59d3\u540d*", None))
        self.relationLabel.setText(QCoreApplication.translate("MemberDialog", u"\u4e0e\u6237\u4e3b\u5173\u7cfb*", None))
        self.idLabel.setText(QCoreApplication.translate("MemberDialog", u"\u8eab\u4efd\u8bc1\u53f7", None))
        self.idEdit.setPlaceholderText(QCoreApplication.translate("MemberDialog", u"18\u4f4d\uff0c\u672b\u4f4d\u53ef\u4e3aX", None))
        self.sexLabel.setText(QCoreApplication.translate("MemberDialog", u"\u6027\u522b", None))
        self.birthLabel.setText(QCoreApplication.translate("MemberDialog", u"\u51fa\u751f\u65e5\u671f", None))
        self.birthEdit.setDisplayFormat(QCoreApplication.translate("MemberDialog", u"yyyy-MM-dd", None))
        self.educationLabel.setText(QCoreApplication.translate("MemberDialog", u"\u6587\u5316\u7a0b\u5ea6", None))
        self.politicalLabel.setText(QCoreApplication.translate("MemberDialog", u"\u653f\u6cbb\u9762\u8c8c", None))
        self.healthLabel.setText(QCoreApplication.translate("MemberDialog", u"\u5065\u5eb7\u72b6\u51b5", None))
        self.gradeLabel.setText(QCoreApplication.translate("MemberDialog", u"\u6b8b\u75be\u7b49\u7ea7", None))
        self.phoneLabel.setText(QCoreApplication.translate("MemberDialog", u"\u8054\u7cfb\u7535\u8bdd", None))
        self.migrantLabel.setText(QCoreApplication.translate("MemberDialog", u"\u5916\u51fa\u52a1\u5de5", None))
        self.migrantCheck.setText(QCoreApplication.translate("MemberDialog", u"\u662f", None))
        self.migrantPlaceEdit.setPlaceholderText(QCoreApplication.translate("MemberDialog", u"\u52a1\u5de5\u5730\u70b9", None))
        self.notesLabel.setText(QCoreApplication.translate("MemberDialog", u"\u5907\u6ce8", None))
    # retranslateUi

