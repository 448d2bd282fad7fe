"""The HTML forms (Flask-WTF: each carries a CSRF token)."""

from flask_wtf import FlaskForm
from wtforms import IntegerField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, NumberRange


class CredentialsForm(FlaskForm):
    username = StringField(validators=[DataRequired(), Length(max=80)])
    password = PasswordField(validators=[DataRequired()])


class AddToCartForm(FlaskForm):
    product_id = IntegerField(validators=[DataRequired()])
    quantity = IntegerField(validators=[DataRequired(), NumberRange(min=1, max=99)])


class CheckoutForm(FlaskForm):
    pass
