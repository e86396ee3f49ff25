import ArgumentParser
import Hummingbird
import AsyncHTTPClient
import GRDB
print("placeholder")
