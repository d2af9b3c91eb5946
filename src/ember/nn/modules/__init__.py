"""Module classes; each family file adds its classes here."""
from ember.nn.modules.container import (ModuleDict, ModuleList, ParameterDict, ParameterList,
                                        Sequential)
from ember.nn.modules.linear import Bilinear, Flatten, Identity, Linear, Unflatten
from ember.nn.modules.module import Module

__all__ = ["Module", "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict",
           "Identity", "Linear", "Bilinear", "Flatten", "Unflatten"]
